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


def validate(repo: Repository | str | Path, *, level: str = "kepval") -> tuple[Problem, ...]:
    """Every problem the rules of *level* find in *repo*, KEP by KEP in path order.

    The ``kepval`` level checks every KEP, the template included, as the repository's
    CI does; ``lint`` adds its rules for every KEP but the template, whose
    placeholders are its purpose. KEPs whose kep.yaml is not YAML come first.

    Raises:
        InvalidArgumentError: (a ValueError) *level* is not one of :data:`LEVELS`.
        KepNotFoundError: *repo* is a path that is not a folder.
    """
    if level not in LEVELS:
        msg = f"unknown level {level!r}; use one of: {', '.join(LEVELS)}"
        raise InvalidArgumentError(msg, argument="level", value=level)
    if not isinstance(repo, Repository):
        repo = open_repository(repo)
    problems: list[Problem] = list(repo.unreadable)
    ctx = context_for(repo) if level == "lint" else None
    for kep in repo.keps:
        for check in KEPVAL_CHECKS:
            problems.extend(check(kep, repo))
        if ctx is not None and not is_template(kep):
            for lint_check in LINT_CHECKS:
                problems.extend(lint_check(kep, ctx))
    return tuple(problems)
