"""Problems: what a check, a loader or an index rebuild found wrong with KEP content.

A problem is a value, not an exception: checks return them, errors carry them, and
the command line prints them. Each has a stable ``code`` that tools and exemptions
refer to, so a message can be reworded without breaking anyone.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

__all__ = ["MAX_MESSAGE", "Problem", "Severity", "errors_only"]

#: The longest message a problem keeps: a message that quotes a hostile value (a 9 MiB
#: title, a milestone of thousands of digits) is cut here and ends in "...". Real ones
#: stay far below it (the corpus's longest is some 200 characters).
MAX_MESSAGE = 1000


def _bounded(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


class Severity(enum.StrEnum):
    """How bad a problem is: an error fails a check, a warning is only reported."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Problem:
    """One thing wrong with one KEP (or one file of it).

    Args:
        code: stable identifier such as ``title-not-set``; exemptions name it.
        message: what is wrong, in words a KEP author can act on (cut at
            :data:`MAX_MESSAGE` characters).
        path: the file the problem is in, when there is one.
        field: the metadata field concerned, when there is one.
        line: the 1-based line in *path*, when known.
        severity: errors fail checks, warnings do not.
        exempted: the reason the KEP's metadata gives for waiving this problem, if any.
    """

    code: str
    message: str = attrs.field(converter=_bounded)
    path: str | None = None
    field: str | None = None
    line: int | None = None
    severity: Severity = Severity.ERROR
    exempted: str | None = None

    @property
    def is_blocking(self) -> bool:
        """True for an error that no exemption waives."""
        return self.severity is Severity.ERROR and self.exempted is None

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        parts = [p for p in (where, f"[{self.code}]") if p]
        text = f"{' '.join(parts)} {self.message}"
        if self.exempted is not None:
            text += f" (exempted: {self.exempted})"
        return text


def errors_only(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """The problems that fail a check: errors that are not exempted."""
    return tuple(p for p in problems if p.is_blocking)
