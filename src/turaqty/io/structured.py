"""Reading a YAML or JSON file safely: any usual encoding, a duplicated key an error
(never "the last one wins"), YAML references (``*name``) capped so that a few hundred
bytes cannot expand to gigabytes ("billion laughs").

Example
-------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
>>> _ = p.write_text("- region: abai\\n  indicator: B1\\n  value: 1\\n", encoding="utf-8")
>>> load_structured(p)
[{'region': 'abai', 'indicator': 'B1', 'value': 1}]
>>> _ = p.write_text("- region: abai\\n  region: karaganda\\n", encoding="utf-8")
>>> load_structured(p)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
turaqty.errors.DataError: /.../c.yaml, row 2: the key 'region' is given twice in one entry.
  how to fix: give each field once per entry and write each change as its own entry ('- region: ...').
"""
from __future__ import annotations

import json
from pathlib import Path

from turaqty.errors import DataError, Problem
from turaqty.io.limits import current_limits, too_many


class _Duplicate(Exception):
    def __init__(self, key, line):
        self.key, self.line = key, line


class _TooManyAliases(Exception):
    pass


def _loader(limit: int):
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader that counts references and refuses duplicated keys."""

        aliases = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > limit:
                    raise _TooManyAliases()
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: the parser says so itself
                    break
                if duplicate:
                    raise _Duplicate(key, key_node.start_mark.line + 1)
                seen.add(key)
            return super().construct_mapping(node, deep)

    return Loader


def _no_duplicate_pairs(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _Duplicate(key, None)
        seen[key] = value
    return seen


def parse_structured(text: str, file: str, kind: str):
    """The data of ``text`` (``kind`` ``json`` or ``yaml``); a :class:`DataError` naming
    the line for bad syntax, a duplicated key or too many references."""
    try:
        if kind == "json":
            return json.loads(text, object_pairs_hook=_no_duplicate_pairs)
        import yaml

        return yaml.load(text, Loader=_loader(current_limits().max_yaml_aliases))  # noqa: S506 (SafeLoader)
    except _Duplicate as dup:
        raise DataError(Problem("whatif_duplicate_key", file=file, row=dup.line,
                                value=str(dup.key))) from None
    except _TooManyAliases:
        raise too_many("yaml_aliases", file, f"> {current_limits().max_yaml_aliases}") from None
    except RecursionError:  # nesting thousands deep
        raise DataError(Problem("whatif_parse", file=file, params={"reason": "nested too deeply"})) from None
    except Exception as err:  # the parser's own message says where (line, column)
        raise DataError(Problem("whatif_parse", file=file,
                                params={"reason": " ".join(str(err).split())[:200]})) from None


def load_structured(path: str | Path):
    """The data of a YAML or JSON file (by its suffix), read within the size cap in any
    encoding the data reader knows."""
    from turaqty.io.tables import decode_text, read_bytes

    path = Path(path)
    file = str(path)
    content = read_bytes(path, file)
    try:
        text, _ = decode_text(content, file) if content else ("", "utf-8")
    except DataError as err:
        if err.problems[0].key == "not_a_table":
            raise DataError(Problem("not_text", file=file)) from None
        raise
    return parse_structured(text.lstrip("\ufeff"), file, "json" if path.suffix.lower() == ".json" else "yaml")
