"""KEP records as a typed pandas DataFrame (the optional ``keps[analysis]`` extra).

The columns are :data:`keps.index.records.RECORD_FIELDS`, typed for analysis:

- ``kep_number``: nullable integer (``Int64``), never a float;
- ``created``, ``last_updated``: UTC datetimes;
- ``state`` and ``stage``: ordered categoricals in lifecycle order (draft first; alpha
  before beta), so ``df.sort_values("stage")`` and ``df.stage >= "beta"`` mean what
  they say;
- ``latest_milestone`` and ``milestone.<stage>``: ordered categoricals in release order
  (``v1.9`` before ``v1.30``);
- list fields stay tuples of text.

A value the KEP's file writes that is no state, stage or release (``imlpemented``) is
kept as one more category after the known ones; '' is missing (NA).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from keps.errors import MissingExtraError
from keps.index.records import RECORD_FIELDS
from keps.keps.milestones import STAGES, Milestone
from keps.keps.states import State

if TYPE_CHECKING:
    import pandas

__all__ = ["import_pandas", "to_dataframe"]

_TIMES = ("created", "last_updated")


def import_pandas() -> Any:
    """The pandas module, or MissingExtraError naming the extra to install."""
    try:
        import pandas
    except ImportError as exc:
        feature = "a DataFrame"
        raise MissingExtraError(feature) from exc
    return pandas


def _release_order(values: Iterable[object]) -> list[str]:
    """The distinct non-empty *values*: releases in release order, then other text."""
    releases: dict[str, Milestone] = {}
    other: list[str] = []
    for value in dict.fromkeys(values):
        if not isinstance(value, str) or not value:
            continue
        try:
            releases[value] = Milestone.parse(value)
        except (TypeError, ValueError):
            other.append(value)
    return sorted(releases, key=releases.__getitem__) + sorted(other)


def _known_then_other(known: Sequence[str], values: Iterable[object]) -> list[str]:
    seen = {v for v in values if isinstance(v, str) and v}
    return [*known, *sorted(seen - set(known))]


def to_dataframe(records: Sequence[Mapping[str, object]]) -> pandas.DataFrame:
    """*records* (as :func:`keps.index.records.to_record` makes them) as a typed DataFrame.

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'keps[analysis]'``).
    """
    pd = import_pandas()
    columns: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        values = [record.get(name) for record in records]
        if name == "kep_number":
            numbers = [
                v if isinstance(v, int) and not isinstance(v, bool) else None for v in values
            ]
            columns[name] = pd.array(numbers, dtype="Int64")
        elif name in _TIMES:
            columns[name] = pd.to_datetime(
                [v if not isinstance(v, str) else None for v in values], utc=True
            )
        elif name == "state":
            order = _known_then_other([state.value for state in State], values)
            columns[name] = _categorical(pd, values, order)
        elif name == "stage":
            columns[name] = _categorical(pd, values, _known_then_other(STAGES, values))
        elif name == "latest_milestone" or name.startswith("milestone."):
            columns[name] = _categorical(pd, values, _release_order(values))
        else:
            columns[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns, columns=list(RECORD_FIELDS))


def _categorical(pd: Any, values: list[object], order: list[str]) -> Any:
    cleaned = [v if isinstance(v, str) and v else None for v in values]
    return pd.Categorical(cleaned, categories=order, ordered=True)
