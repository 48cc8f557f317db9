"""User-facing errors: one family, each problem saying where it is and how to fix it.

A :class:`Problem` names the file, the row and the column of a bad cell together
with the bad value; a :class:`DataError` carries every problem found in one input,
so that a user fixes them all in one pass.  Messages are catalogue keys rendered in
the user's language by :func:`turaqty.i18n.t`.

Example
-------
>>> p = Problem("unknown_region", file="data.csv", row=3, column="region", value="Atlantis",
...             params={"suggestions": "Atyrau Region"})
>>> print(p.render("en").splitlines()[0])
data.csv, row 3, column "region": unknown region 'Atlantis'.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from turaqty.i18n import t

QUOTE_CHARS = 80  # of a value quoted in a message
PATH_CHARS = 240
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(text, limit: int = QUOTE_CHARS):
    """Text as a message may quote it: control characters (line breaks, NUL, escape
    sequences, bidirectional marks) shown as ``?``, at most ``limit`` characters (the
    middle of a longer text left out as ``…``). Anything else is returned unchanged.

    >>> shown("Абай\x1b[31m" + "x" * 200)[:12], len(shown("x" * 1000))
    ('Абай?[31mxxx', 80)
    """
    if not isinstance(text, str):
        return text
    text = _CONTROL.sub("?", text)
    if len(text) > limit:
        head = limit * 2 // 3
        text = text[:head] + "…" + text[len(text) - (limit - head - 1):]
    return text


class RegionNames(tuple):
    """Region ids in a message's parameters, shown as names in the reader's language."""

    def render(self, lang: str) -> str:
        from turaqty.model.units import load_regions  # the catalogue is loaded only when needed

        regions = load_regions()
        return ", ".join(regions.name(r, lang) for r in self) or "-"


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: what, where, the bad value, extra parameters."""

    key: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    params: dict[str, Any] = field(default_factory=dict)

    def where(self, lang: str = "en") -> str:
        parts = []
        if self.file:
            parts.append(shown(str(self.file), PATH_CHARS))
        if self.row is not None:
            parts.append(t("where.row", lang, row=self.row))
        if self.column is not None:
            parts.append(t("where.column", lang, column=shown(str(self.column))))
        return ", ".join(parts)

    def render(self, lang: str = "en") -> str:
        """The problem as text: location, message, then the hint on its own line."""
        params = {"value": self.value, "file": self.file, "row": self.row,
                  "column": self.column, **self.params}
        params = {k: v.render(lang) if isinstance(v, RegionNames)  # the quoted value is short,
                  else shown(v, QUOTE_CHARS if k in ("value", "column") else PATH_CHARS)  # lists not
                  for k, v in params.items()}
        message = t(f"error.{self.key}", lang, **params)
        hint = t(f"hint.{self.key}", lang, default="", **params)
        where = self.where(lang)
        text = f"{where}: {message}" if where else message
        return f"{text}\n  {t('hint', lang)}: {hint}" if hint else text


class TuraqtyError(Exception):
    """Base class of every error caused by the user's input or request (exit code 2)."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.render("en"))

    def render(self, lang: str = "en", limit: int = 50) -> str:
        shown = [p.render(lang) for p in self.problems[:limit]]
        rest = len(self.problems) - limit
        if rest > 0:
            shown.append(t("more_problems", lang, n=rest))
        return "\n".join(shown)


class DataError(TuraqtyError):
    """A data file (or a DataFrame given to the API) cannot be used as it is."""


class UsageError(TuraqtyError):
    """A request that cannot be carried out: unknown profile, language, output place, ..."""
