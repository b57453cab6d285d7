"""Validation findings as a value to count, tabulate and show in a notebook.

:meth:`keps.analysis.KepCollection.validate` gives a :class:`Findings`: the problems
:func:`keps.validate.validate` found, with the ways an analysis wants them::

    found = keps.load("~/src/enhancements").validate()
    len(found), found.count().most_common(3)
    found.to_dataframe()      # needs keps[analysis] (pandas)
    found                     # in Jupyter: counts by code, then the first 100
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import attrs

from keps.problems import Problem, Severity

if TYPE_CHECKING:
    import pandas

__all__ = ["RECORD_KEYS", "Findings"]

#: The keys of :meth:`Findings.to_records`, and the DataFrame's columns, in order.
RECORD_KEYS: tuple[str, ...] = ("code", "severity", "message", "path", "field", "line")


def _problems(items: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(items)


@attrs.frozen
class Findings:
    """What validation found: an immutable sequence of :class:`~keps.problems.Problem`.

    Args:
        problems: the problems, in the order the rules found them.
    """

    problems: tuple[Problem, ...] = attrs.field(default=(), converter=_problems)

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def count(self) -> Counter[str]:
        """How many findings each problem code has (``found.count()["kep-number-mismatch"]``)."""
        return Counter(problem.code for problem in self.problems)

    def to_records(self) -> list[dict[str, object]]:
        """Each finding as a plain dict of :data:`RECORD_KEYS`; the severity as text."""
        return [
            {key: str(p.severity) if key == "severity" else getattr(p, key) for key in RECORD_KEYS}
            for p in self.problems
        ]

    def to_dataframe(self) -> pandas.DataFrame:
        """The findings as a pandas DataFrame, one row each (needs ``keps[analysis]``).

        ``line`` is a nullable integer; the other columns are text (None where absent).

        Raises:
            MissingExtraError: pandas is not installed.
        """
        from keps.analysis.frame import import_pandas

        pd = import_pandas()
        records = self.to_records()
        columns = {key: pd.Series([r[key] for r in records], dtype=object) for key in RECORD_KEYS}
        columns["line"] = pd.array([r["line"] for r in records], dtype="Int64")
        return pd.DataFrame(columns, columns=list(RECORD_KEYS))

    def __repr__(self) -> str:
        errors = sum(1 for p in self.problems if p.severity is Severity.ERROR)
        codes = len(self.count())
        return (
            f"<Findings: {len(self)} problems ({errors} errors, {len(self) - errors} warnings) "
            f"of {codes} code{'' if codes == 1 else 's'}>"
        )

    def _repr_html_(self) -> str:
        from keps.analysis.html import findings_html

        return findings_html(self)
