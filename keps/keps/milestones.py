"""Releases and stages as values: an ordered :class:`Milestone`, and :class:`ByStage`.

A KEP names a milestone for each stage it reaches (``milestone: {alpha: v1.29, beta:
v1.31}``) and gets a production readiness approval per stage. :class:`ByStage` holds
one value per stage as attributes, so ``entry.milestone.beta`` in Python,
``milestone.beta`` in a query and the ``milestone.beta`` column of a DataFrame are
one name::

    Milestone.parse("1.31") == Milestone.parse("v1.31")     # True
    Milestone.parse("v1.29").releases_until("v1.33")         # 4
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

from keps._kinds import kind_of

if TYPE_CHECKING:
    import semver

__all__ = ["STAGES", "ByStage", "Milestone"]

T = TypeVar("T")

#: At most 9 digits a part: more is no Kubernetes release (and int() refuses over 4300).
_MILESTONE = re.compile(r"v?(?P<major>\d{1,9})\.(?P<minor>\d{1,9})(?:\.(?P<patch>\d{1,9}))?")


@attrs.frozen
class ByStage(Generic[T]):
    """One value per stage of a feature, in the order a feature passes through them.

    The last three stages are the ends a deprecated feature goes through
    (kubernetes/enhancements' template). Iterating gives ``(stage, value)`` pairs.
    """

    alpha: T
    beta: T
    stable: T
    deprecated: T
    disabled: T
    removed: T

    @classmethod
    def from_pairs(
        cls, pairs: Iterable[tuple[str, str]], convert: Callable[[str], T], empty: T
    ) -> ByStage[T]:
        """The values *pairs* give per stage, each through *convert*; *empty* for the rest.

        A stage that is not one of :data:`STAGES` is left out (the validator reports it).
        """
        given = {stage: convert(text) for stage, text in pairs if stage in _STAGE_SET}
        return cls(**{stage: given.get(stage, empty) for stage in STAGES})

    def __iter__(self) -> Iterator[tuple[str, T]]:
        return ((stage, getattr(self, stage)) for stage in STAGES)


#: The stages of a feature, in order: ByStage's attributes, so the two never disagree.
STAGES: tuple[str, ...] = tuple(field.name for field in attrs.fields(ByStage))
_STAGE_SET = frozenset(STAGES)


@attrs.frozen(eq=False, order=False)
class Milestone:
    """A Kubernetes release such as ``v1.30``, compared as a version, not as text.

    ``v1.9 < v1.30`` holds here although ``"v1.9" > "v1.30"`` as strings. Build one with
    :meth:`parse`; ``text`` keeps what the file said, ``version`` is the semver value.

    >>> Milestone.parse("v1.9") < Milestone.parse("1.30")
    True
    """

    text: str
    version: semver.Version = attrs.field(eq=False, repr=False)

    @classmethod
    def parse(cls, value: object) -> Milestone:
        """The milestone *value* names (``v1.30``, ``1.30``, ``v1.30.2``).

        Raises:
            ValueError: naming the value, for anything that is not such a version
                (``TBD``, ``x.y``, a list of versions, a number that lost its zero).
        """
        if isinstance(value, Milestone):
            return value
        if not isinstance(value, str):
            msg = f'a milestone must be text such as "v1.30", got {kind_of(value)}'
            raise TypeError(msg)
        match = _MILESTONE.fullmatch(value.strip())
        if match is None:
            msg = f"{value!r} is not a milestone such as v1.30"
            raise ValueError(msg)
        import semver  # on first use: most commands never compare a release

        version = semver.Version(int(match["major"]), int(match["minor"]), int(match["patch"] or 0))
        return cls(value.strip(), version)

    def __lt__(self, other: Milestone) -> bool:
        return bool(self.version < other.version)

    def __le__(self, other: Milestone) -> bool:
        return bool(self.version <= other.version)

    def __gt__(self, other: Milestone) -> bool:
        return bool(self.version > other.version)

    def __ge__(self, other: Milestone) -> bool:
        return bool(self.version >= other.version)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Milestone) and bool(self.version == other.version)

    def __hash__(self) -> int:
        return hash((self.version.major, self.version.minor, self.version.patch))

    def __add__(self, patches: int) -> Milestone:
        """The release *patches* patch releases later: ``milestone>v1.29`` starts at v1.29.1."""
        version = self.version.replace(patch=self.version.patch + patches)
        return Milestone(f"v{version.major}.{version.minor}.{version.patch}", version)

    def earlier(self, releases: int) -> Milestone:
        """The minor release *releases* before this one: ``v1.37.earlier(4)`` is ``v1.33``.

        Raises:
            ValueError: that would come before the major version's first release.
        """
        minor = self.version.minor - releases
        if minor < 0:
            msg = f"there is no release {releases} before {self}"
            raise ValueError(msg)
        return Milestone.parse(f"v{self.version.major}.{minor}")

    def releases_until(self, later: Milestone | str) -> int:
        """How many minor releases lie from this one to *later*: ``v1.29`` to ``v1.31`` is 2.

        Negative when *later* comes first; patch releases do not count.

        Raises:
            ValueError: *later* is no milestone, or the two differ in major version.
        """
        other = Milestone.parse(later)
        if other.version.major != self.version.major:
            msg = f"{self} and {other} differ in major version; releases cannot be counted"
            raise ValueError(msg)
        return int(other.version.minor - self.version.minor)

    def __str__(self) -> str:
        return f"v{self.version.major}.{self.version.minor}" + (
            f".{self.version.patch}" if self.version.patch else ""
        )
