"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

#: ../shared beside the repository: the real KEP corpus and the benchmark generator.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"


#: True in a run under mutmut (its first pass included, whose marker is taken out of the
#: environment below): memos are then emptied before each test.
_UNDER_MUTMUT = False


def pytest_configure(config: pytest.Config) -> None:
    """Under ``mutmut run``'s first pass, keep its marker out of the processes tests start.

    That pass runs the suite once to learn which tests reach which function; a Python
    process a test starts would inherit the marker and fail to report to it. The marker
    stays in force here through mutmut's own process-local copy.
    """
    global _UNDER_MUTMUT
    _UNDER_MUTMUT = "MUTANT_UNDER_TEST" in os.environ
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        from mutmut.mutation import trampoline  # type: ignore[import-not-found]

        # set_mutant_under_test would copy it back into the environment
        trampoline._mutant_under_test = os.environ.pop("MUTANT_UNDER_TEST")


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Keep the developer's own settings and environment out of every test."""
    for name in (
        "KEP_CONTENT_ROOT",
        "KEP_PRINCIPAL_GITHUB_HANDLE",
        "KEPS_GITHUB_API_URL",
        "KEPS_GITHUB_GIT_URL",
        "GITHUB_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    yield


@pytest.fixture(autouse=True)
def _no_exit_from_the_test_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os._exit`` in the test process itself fails the test instead of ending the run.

    keps forks a child that leaves with ``os._exit`` (keps.index.forked); a bug sending
    the parent down the child's branch would end pytest with the child's exit code 0,
    and the run would pass. A forked child (another pid) still leaves as it should.
    """
    main_pid = os.getpid()
    real_exit = os._exit

    def guarded(code: int) -> None:
        if os.getpid() == main_pid:
            msg = f"os._exit({code}) called in the test process"
            raise AssertionError(msg)
        real_exit(code)

    monkeypatch.setattr(os, "_exit", guarded)


@pytest.fixture(autouse=True)
def _cold_memos_under_mutmut() -> Iterator[None]:
    """Under mutmut, every test starts with the library's memos empty.

    mutmut learns which tests reach a function by running them, and runs a mutant only
    against those; a memo filled by an earlier test would hide the function from the
    later ones, so they would never meet its mutants. Outside mutmut this does nothing.
    """
    if _UNDER_MUTMUT:
        from importlib import import_module

        import_module("keps.keps.check")._PARENTS.clear()
        for module, name in (
            ("keps.porcelain.auth", "_pattern"),
            ("keps.keps.kep", "_absolute"),
            ("keps.keps.sections.render", "template_text"),  # the package's render hides it
            ("keps.index.store", "_scalar"),
        ):
            getattr(import_module(module), name).cache_clear()
    yield


@pytest.fixture(name="corpus")
def _corpus() -> Path:
    """../shared/corpus, or a skip that says why when this is a fresh clone without it."""
    if not CORPUS.is_dir():
        pytest.skip(
            f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)"
        )
    return CORPUS


@pytest.fixture(name="shared")
def _shared() -> Path:
    """../shared, or a skip that says why."""
    if not SHARED.is_dir():
        pytest.skip(f"needs ../shared at {SHARED} (absent in a fresh clone; present in CI)")
    return SHARED


# -- hypothesis profiles: quick by default, thorough with HYPOTHESIS_PROFILE=ci --------------
import os as _os  # noqa: E402

from hypothesis import HealthCheck as _HealthCheck  # noqa: E402
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("default", max_examples=200, deadline=None)
_hypothesis_settings.register_profile("ci", max_examples=2000, deadline=None)
# mutmut runs a test many times in one process (stats, clean run, each mutant's fork)
_hypothesis_settings.register_profile(
    "mutation",
    max_examples=100,
    deadline=None,
    suppress_health_check=[_HealthCheck.differing_executors],
)
_hypothesis_settings.load_profile(
    _os.environ.get("HYPOTHESIS_PROFILE")
    or ("mutation" if "MUTANT_UNDER_TEST" in _os.environ else "default")
)


@pytest.fixture(name="index_parses")
def _index_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every keps.yaml that keps.index parses (rather than takes from its cache), in order."""
    import keps.index.build

    parses: list[Path] = []
    original = keps.index.build._parse

    def counting(path: Path, raw: bytes) -> object:
        parses.append(path)
        return original(path, raw)

    monkeypatch.setattr(keps.index.build, "_parse", counting)
    return parses
