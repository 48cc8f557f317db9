"""Texts shown to users, in Kazakh, Russian and English, from the JSON files of ``data/i18n/``
(``messages.json`` and one file per area; a key may appear in only one of them).

Example
-------
>>> t("level.high", "ru")
'высокий'
>>> format_number(5.1234, "kk", 2)
'5,12'
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "kk", "ru")


@lru_cache(maxsize=1)
def _messages() -> dict[str, dict[str, str]]:
    folder = resources.files("turaqty") / "data" / "i18n"
    merged: dict[str, dict[str, str]] = {}
    for path in sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name):
        part = json.loads(path.read_text(encoding="utf-8"))
        twice = sorted(set(part) & set(merged))
        if twice:
            raise ValueError(f"message keys defined twice ({path.name}): {', '.join(twice[:5])}")
        merged.update(part)
    return merged


def check_language(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise a UsageError naming the choices."""
    if lang not in LANGUAGES:
        from turaqty.errors import Problem, UsageError

        raise UsageError(Problem("unknown_language", value=lang, params={"choices": ", ".join(LANGUAGES)}))
    return lang


def t(key: str, lang: str = "en", default: str | None = None, **params) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` placeholders filled from ``params``."""
    entry = _messages().get(key)
    if entry is None:
        if default is not None:
            return default
        raise KeyError(f"no message {key!r} in the catalogue")
    template = entry.get(lang) or entry["en"]
    return template.format_map(_Params(params)) if params else template


def worded(key: str, home: bool) -> str:
    """The key of a text that speaks of regions or pillars: ``key`` itself where the
    dissertation's words apply (``home``: its framework on Kazakhstan's regions), elsewhere
    its twin ``unit.<key>`` in general words (units, nodes), where the catalogue has one.

    >>> worded("audit.small_sample", True), worded("audit.small_sample", False)
    ('audit.small_sample', 'unit.audit.small_sample')
    >>> t(worded("audit.title", False), "en")  # no twin: the same words everywhere
    'Statistical audit of the assessment'
    """
    twin = f"unit.{key}"
    return key if home or twin not in _messages() else twin


class _Params(dict):
    """Placeholders filled from a dict; one that is missing shows as '?' instead of failing
    (a message must never crash the error report it belongs to)."""

    def __missing__(self, key):
        return "?"


def format_number(x: float, lang: str = "en", decimals: int = 2) -> str:
    """``x`` rounded to ``decimals`` places, with a decimal comma in Kazakh and Russian."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    text = f"{x:.{decimals}f}"
    return text.replace(".", ",") if lang in ("kk", "ru") else text
