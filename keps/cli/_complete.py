"""Shell completion for kepctl's arguments: KEP targets, SIGs, states, stages, milestones.

click completes the command names itself; these are the ``shell_complete=`` callbacks of
the arguments and options that name things in the content root. Each reads only what is
cheap (the index, the SIG list in force) and a failure while completing, whatever it is,
offers nothing: a half-typed command line must never print a traceback into the shell.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.shell_completion import CompletionItem

from keps.cli._app import Context

if TYPE_CHECKING:
    from keps.index import Index

__all__ = [
    "complete_milestones",
    "complete_participating_sigs",
    "complete_query_words",
    "complete_sigs",
    "complete_stages",
    "complete_states",
    "complete_targets",
]

#: What a completion callback is given by click, and what it gives back.
Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]

_OPERATORS = (">=", "<=", ">", "<")
_VERSION = re.compile(r"v?(\d+)\.(\d+)")


@contextmanager
def _quiet() -> Iterator[None]:
    """The keps logger silenced: a warning must not land in the middle of a shell line."""
    logger = logging.getLogger("keps")
    disabled = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled


def _completer(values: Callable[[click.Context, str], Iterable[str]]) -> Completer:
    """A click completion callback offering those of *values* that start with what is typed.

    Any exception raised while finding the values means no completion, never a traceback.
    """

    def complete(
        ctx: click.Context, _param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        try:
            with _quiet():
                found = list(dict.fromkeys(values(ctx, incomplete)))
        except Exception:  # whatever went wrong, a shell gets no completion
            return []
        return [CompletionItem(value) for value in found if value.startswith(incomplete)]

    complete.__doc__ = values.__doc__
    return complete


def _content_root(ctx: click.Context) -> Path:
    """The content root the command line being completed names (--content-root, settings)."""
    option = ctx.find_root().params.get("content_root")
    return Context(content_root_option=option).content_root


def _index(ctx: click.Context) -> Index:
    from keps import index

    return index.open(_content_root(ctx))


def _targets(ctx: click.Context, incomplete: str) -> list[str]:
    """The KEPs of the content root: by number when digits are typed, else by location.

    A checkout's locations are offered without their leading ``keps/`` (``sig-node/1287-x``
    names the KEP as well), unless ``keps/`` is typed.
    """
    idx = _index(ctx)
    if incomplete.isdigit():
        return sorted(str(e.kep_number) for e in idx.entries if e.kep_number is not None)
    locations = [e.location for e in idx.entries] + [b.location for b in idx.broken]
    if not incomplete.startswith("keps/"):
        locations = [loc.removeprefix("keps/") for loc in locations]
    return sorted(locations)


def _sigs(ctx: click.Context, _incomplete: str) -> tuple[str, ...]:
    """The SIGs of the SIG list in force (the ones that own KEPs)."""
    from keps.sigs import registry_for

    return registry_for(_content_root(ctx)).all()


def _groups(ctx: click.Context, _incomplete: str) -> list[str]:
    """Every group of the SIG list in force (SIGs, working groups, committees)."""
    from keps.sigs import registry_for

    return [group.dir for group in registry_for(_content_root(ctx))]


def _states(_ctx: click.Context, _incomplete: str) -> list[str]:
    """The KEP states (a kep.yaml's statuses among them)."""
    from keps.keps.states import State

    return [state.value for state in State]


def _stages(_ctx: click.Context, _incomplete: str) -> tuple[str, ...]:
    """The stages of a feature (alpha, beta, stable, ...)."""
    from keps.keps.metadata import STAGES

    return STAGES


def _version_key(text: str) -> tuple[int, int, str]:
    match = _VERSION.fullmatch(text)
    return (int(match[1]), int(match[2]), text) if match else (-1, -1, text)


def _milestones(ctx: click.Context, incomplete: str) -> list[str]:
    """The latest milestones of the KEPs in the index, newest first; a typed >= is kept."""
    operator = next((op for op in _OPERATORS if incomplete.startswith(op)), "")
    present = {e.latest_milestone for e in _index(ctx).entries if e.latest_milestone}
    return [operator + m for m in sorted(present, key=_version_key, reverse=True)]


#: query fields whose values can be completed inside a query word (``stage:al``).
_WORD_VALUES: dict[str, Callable[[click.Context, str], Iterable[str]]] = {
    "sig": _sigs,
    "participating": _groups,
    "state": _states,
    "status": _states,
    "stage": _stages,
    "milestone": _milestones,
}


def _query_words(ctx: click.Context, incomplete: str) -> list[str]:
    """``FIELD:VALUE`` for a query word whose field is typed (``stage:al``, ``-sig:sig-n``).

    zsh and fish hand the word over whole; bash splits it at the colon (its
    COMP_WORDBREAKS), so there the flags (--stage, --sig) are the ones that complete.
    """
    head, colon, typed = incomplete.partition(":")
    values = _WORD_VALUES.get(head.lstrip("-").lower())
    if not colon or values is None:
        return []
    return [f"{head}:{value}" for value in values(ctx, typed)]


def complete_targets(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """KEP targets: locations and numbers from the index; a typed path completes as a path."""
    if incomplete.startswith((".", "/", "~")):
        return [CompletionItem(incomplete, type="dir")]
    return _target_completer(ctx, param, incomplete)


_target_completer = _completer(_targets)
complete_sigs = _completer(_sigs)
complete_participating_sigs = _completer(_groups)
complete_states = _completer(_states)
complete_stages = _completer(_stages)
complete_milestones = _completer(_milestones)
complete_query_words = _completer(_query_words)
