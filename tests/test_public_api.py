"""Each public package's __all__ is honest: nothing it defines is forgotten, nothing listed is missing."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = [
    "keps",
    "keps.errors",
    "keps.problems",
    "keps.keps",
    "keps.keps.sections",
    "keps.workflow",
    "keps.index",
    "keps.filter",
    "keps.sigs",
    "keps.settings",
    "keps.porcelain",
    "keps.convert",
    "keps.validate",
    "keps.analysis",
    "keps.history",
    "keps.plot",
    "keps.signoff",
    "keps.site",
]


def _defined_under(value: object, package: str) -> bool:
    """True for a class or function whose home module is *package* or one of its modules."""
    if isinstance(value, types.ModuleType) or not (isinstance(value, type) or callable(value)):
        return False
    owner = getattr(value, "__module__", "")
    return isinstance(owner, str) and (owner == package or owner.startswith(package + "."))


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_class_and_function_is_exported(name: str) -> None:
    """A public class or function that the package defines and shows is in its __all__."""
    module = importlib.import_module(name)
    shown = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_") and _defined_under(value, name)
    }
    assert shown - set(module.__all__) == set()


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_exists_once(name: str) -> None:
    """`from package import *` works, and __all__ lists each name once."""
    module = importlib.import_module(name)
    assert len(module.__all__) == len(set(module.__all__))
    missing = [attr for attr in module.__all__ if not hasattr(module, attr)]
    assert missing == []
