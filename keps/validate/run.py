"""Running the rules of a level over every KEP of a repository."""

from __future__ import annotations

from pathlib import Path

from keps.errors import InvalidArgumentError
from keps.problems import Problem
from keps.validate.kepval import KEPVAL_CHECKS
from keps.validate.lint import LINT_CHECKS, context_for, is_template
from keps.validate.repository import Repository, open_repository

__all__ = ["LEVELS", "validate"]

#: The validation levels, each including the ones before it.
LEVELS: tuple[str, ...] = ("kepval", "lint")


def validate(
    repo: Repository | str | Path, *, level: str = "kepval", release: str | None = None
) -> tuple[Problem, ...]:
    """Every problem the rules of *level* find in *repo*.

    The ``kepval`` level runs :data:`~keps.validate.kepval.KEPVAL_CHECKS` over the
    checkout as the repository's CI does (the template included); ``lint`` then adds
    its rules for every KEP but the template, whose placeholders are its purpose, and
    the KEPs the library could not open. *release* (``v1.37``) is the upcoming release
    when *repo* is a path (see :func:`~keps.validate.repository.open_repository`).

    Raises:
        InvalidArgumentError: (a ValueError) *level* is not one of :data:`LEVELS`.
        KepNotFoundError: *repo* is a path that is not a folder.
        InvalidArgumentError: *release* is not a release such as v1.37.
    """
    if level not in LEVELS:
        msg = f"unknown level {level!r}; use one of: {', '.join(LEVELS)}"
        raise InvalidArgumentError(msg, argument="level", value=level)
    if not isinstance(repo, Repository):
        repo = open_repository(repo, release=release)
    problems: list[Problem] = []
    for check in KEPVAL_CHECKS:
        problems.extend(check(repo))
    if level == "lint":
        paths = {p.path for p in problems}
        problems.extend(p for p in repo.unreadable if p.path not in paths)
        said = {(p.code, p.path, p.field) for p in problems}  # once, at the level that blocks
        ctx = context_for(repo)
        for kep in repo.keps:
            if not is_template(kep):
                for lint_check in LINT_CHECKS:
                    found = lint_check(kep, ctx)
                    problems.extend(p for p in found if (p.code, p.path, p.field) not in said)
    return tuple(problems)
