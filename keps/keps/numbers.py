"""KEP numbers: the one rule for what a number is, whichever file or person gives one.

A light module (no YAML, no attrs): the metadata reader, the kep.yaml reader and the
filter's ``number:`` terms all parse numbers here, and ``kepctl query`` must start
without importing the object model.
"""

from __future__ import annotations

import re

from keps._kinds import kind_of

__all__ = ["MAX_KEP_NUMBER", "KepNumberRangeError", "parse_kep_number"]

#: The largest KEP number the model holds. kubernetes/enhancements is near 6,000 after
#: eight years; the bound keeps a hostile number (thousands of digits, which Python will
#: not even print) out of the index. 0 is the template's placeholder and stays readable.
MAX_KEP_NUMBER = 10**9

_DECIMAL = re.compile(r"[0-9]+")


class KepNumberRangeError(ValueError):
    """A KEP number below 0 or above :data:`MAX_KEP_NUMBER`."""


def parse_kep_number(value: object) -> int:
    """*value* as a KEP number: a whole number, or its decimal text, from 0 to 10**9.

    >>> parse_kep_number(" 0042 "), parse_kep_number(7)
    (42, 7)

    Raises:
        TypeError: *value* is not a whole number nor text (a boolean, a float, a list).
        ValueError: text that is not a decimal number (``"x"``, ``"²"``, ``"-5"``).
        KepNumberRangeError: a number below 0 or above :data:`MAX_KEP_NUMBER`.
    """
    if value.__class__ is int and 0 <= value <= MAX_KEP_NUMBER:  # the common case: an entry
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        msg = f"expected a whole number, got {kind_of(value)}"
        raise TypeError(msg)
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            shown = repr(text) if len(text) <= 40 else f"{text[:40]!r}..."
            msg = f"expected a whole number such as 42, got {shown}"
            raise ValueError(msg)
        # the length first: int() refuses over 4300 digits, and nothing that long is in range
        digits = text.lstrip("0")
        number = MAX_KEP_NUMBER + 1 if len(digits) > len(str(MAX_KEP_NUMBER)) else int(text)
    else:
        number = value
    if not 0 <= number <= MAX_KEP_NUMBER:
        got = "a negative number" if number < 0 else "a larger number"
        msg = f"must be a whole number from 0 to {MAX_KEP_NUMBER}, got {got}"
        raise KepNumberRangeError(msg)
    return number
