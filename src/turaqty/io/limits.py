"""How much a reader takes in: caps on file size, unpacked size, rows, columns and cell
length, each raised by an environment variable (and ``--max-rows`` on the command line).

A file past a cap is refused with a :class:`~turaqty.errors.DataError` that names the cap
and how to raise it, before it can fill the memory or hang the program.

Example
-------
>>> current_limits().max_rows
200000
>>> import os; os.environ["TURAQTY_MAX_ROWS"] = "50"
>>> current_limits().max_rows
50
>>> del os.environ["TURAQTY_MAX_ROWS"]
>>> too_many("rows", "d.csv", 51).problems[0].params["variable"]
'TURAQTY_MAX_ROWS'
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields

from turaqty.errors import DataError, Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The caps of one read; see :data:`VARIABLES` for the variable raising each."""

    max_file_mb: int = 512  # bytes of the file on disk
    max_unpacked_mb: int = 1024  # bytes an XLSX unpacks to (its XML), a zip bomb's weapon
    max_rows: int = 200_000  # rows that hold something (empty rows cost nothing)
    max_columns: int = 1_000
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_yaml_aliases: int = 100  # references (*name) in a YAML change file ("billion laughs")


VARIABLES = {f.name: "TURAQTY_" + f.name.upper() for f in fields(Limits)}
OPTIONS = {"max_rows": "--max-rows"}  # caps that also have a command-line option


def current_limits() -> Limits:
    """The caps in force: the defaults, each replaced by its environment variable when set
    to a positive whole number."""
    values = {}
    for name, variable in VARIABLES.items():
        text = os.environ.get(variable, "").strip().replace("_", "")
        if text.isdigit() and int(text) > 0:
            values[name] = int(text)
    return Limits(**values)


def too_many(what: str, file: str, found, row: int | None = None, column: str | None = None) -> DataError:
    """The error for a file past the cap ``max_<what>``: it names the cap, what was found,
    and the variable (and option) that raises it."""
    name = f"max_{what}"
    limit = getattr(current_limits(), name)
    option = OPTIONS.get(name)
    how = f"{option} N / {VARIABLES[name]}=N" if option else f"{VARIABLES[name]}=N"
    return DataError(Problem(f"limit_{what}", file=file, row=row, column=column,
                             params={"limit": limit, "found": found, "variable": VARIABLES[name],
                                     "how": how}))
