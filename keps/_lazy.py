"""Lazy re-exports: a package names what it offers, and imports each module on first use.

``import keps`` used to import the whole object model (attrs classes, YAML, the checks)
before a single name was used; ``kepctl query`` starts a new process every time and paid
for all of it. A package now lists its re-exports in a table::

    __getattr__, __dir__ = _lazy.attach(__name__, {"keps.keps.kep": ("Kep", "open")})

(PEP 562). ``from keps import Kep`` and ``keps.Kep`` work as before; the first use of a
name imports its module and keeps the name in the package, so later uses cost nothing.
Type checkers see the names through ``if TYPE_CHECKING:`` imports beside the table.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping

__all__ = ["attach", "exports", "load"]


def exports(table: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, str | None]]:
    """{name: (module, attribute)} from {module: names}; a name of '' exports the module.

    ``{"keps.keps.kep": ["Kep", "open"], "keps.errors": [""]}`` offers ``Kep`` and
    ``open`` from keps.keps.kep, and the module keps.errors under its last name, errors.
    """
    found: dict[str, tuple[str, str | None]] = {}
    for module, names in table.items():
        for name in names:
            if name:
                found[name] = (module, name)
            else:
                found[module.rpartition(".")[2]] = (module, None)
    return found


def load(package: str, table: Mapping[str, tuple[str, str | None]], name: str) -> object:
    """The value of *name* in *package* from its *table*, imported now and kept there.

    Raises:
        AttributeError: *name* is not in the table (as for any missing attribute).
    """
    try:
        module_name, attribute = table[name]
    except KeyError:
        msg = f"module {package!r} has no attribute {name!r}"
        raise AttributeError(msg) from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    setattr(sys.modules[package], name, value)
    return value


def attach(
    package: str, table: Mapping[str, Iterable[str]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of *package*, exporting *table* (see :func:`exports`)."""
    found = exports(table)

    def get_attribute(name: str) -> object:
        return load(package, found, name)

    def list_names() -> list[str]:
        return sorted({*vars(sys.modules[package]), *found})

    return get_attribute, list_names
