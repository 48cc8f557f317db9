"""A small document model rendered to Markdown and to a self-contained HTML page.

Everything that comes from data is escaped in HTML (and its Markdown table cells have
``|`` escaped), so a region or indicator name can never inject markup. Numbers in tables
have a decimal comma in Kazakh and Russian.

Example
-------
>>> import pandas as pd
>>> doc = Document("Title", [Section("Part", ["A <b>bold</b> claim.", pd.DataFrame({"a": [1]})])])
>>> "&lt;b&gt;" in doc.to_html(), "| a |" in doc.to_markdown()
(True, True)
>>> "| 0,25 |" in Document("T", [Section("P", [pd.DataFrame({"a": [0.25]})])], "ru").to_markdown()
True
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
p.note{color:#555;font-size:.9em}
"""


@dataclass
class Section:
    """A titled part of a document: paragraphs (str) and tables (DataFrame)."""

    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    """A titled list of sections; ``lang`` goes into the HTML page's ``lang`` attribute."""

    title: str
    sections: list[Section] = field(default_factory=list)
    lang: str = "en"

    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for s in self.sections:
            out += [f"## {s.title}", ""]
            for block in s.blocks:
                out += [_markdown_table(block, self.lang) if isinstance(block, pd.DataFrame) else block, ""]
        return "\n".join(out)

    def to_html(self) -> str:
        e = html.escape
        parts = [f"<!DOCTYPE html><html lang=\"{e(self.lang)}\"><head><meta charset=\"utf-8\">",
                 f"<title>{e(self.title)}</title><style>{STYLE}</style></head><body>",
                 f"<h1>{e(self.title)}</h1>"]
        for s in self.sections:
            parts.append(f"<h2>{e(s.title)}</h2>")
            for block in s.blocks:
                parts.append(_html_table(block, self.lang) if isinstance(block, pd.DataFrame)
                             else f"<p>{e(block)}</p>")
        parts.append("</body></html>")
        return "\n".join(parts)


def _text(value, lang: str = "en") -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float):
        text = f"{value:.4g}" if abs(value) < 1e5 else f"{value:.0f}"
        return text.replace(".", ",") if lang in ("kk", "ru") else text
    return str(value)


def _markdown_table(frame: pd.DataFrame, lang: str = "en") -> str:
    def cell(v):
        return _text(v, lang).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _html_table(frame: pd.DataFrame, lang: str = "en") -> str:
    e = html.escape
    head = "".join(f"<th>{e(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = "".join(
            f"<td class=\"num\">{e(_text(v, lang))}</td>"
            if isinstance(v, (int, float)) and not isinstance(v, bool)
            else f"<td>{e(_text(v, lang))}</td>" for v in row)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
