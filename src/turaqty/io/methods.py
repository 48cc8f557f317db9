"""Method files: YAML or JSON, validated into a :class:`~turaqty.model.method.Method`, and
replays of a recorded result (``manifest.json``).

Example
-------
>>> import tempfile, pathlib
>>> f = pathlib.Path(tempfile.mkdtemp()) / "m.yaml"
>>> _ = f.write_text("normalise: {method: minmax, scale: [0, 100]}\\naggregate: geometric\\n")
>>> m = read_method(f)
>>> m.normalise.params["scale"], m.aggregate.method
((0.0, 100.0), 'geometric')
"""
from __future__ import annotations

import json
from pathlib import Path

from turaqty.errors import Problem, TuraqtyError, UsageError
from turaqty.model.method import Method


def _load(path: Path) -> object:
    import yaml  # only for method files

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise UsageError(Problem("method_file", file=str(path), value=err.strerror)) from None
    except UnicodeDecodeError:
        raise UsageError(Problem("method_file", file=str(path), value="not UTF-8 text")) from None
    try:
        return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        first_line = str(err).splitlines()[0][:120]
        raise UsageError(Problem("method_file", file=str(path), value=first_line)) from None


def read_method(path: str | Path) -> Method:
    """The method in a YAML or JSON file; a ``manifest.json`` of a result gives the method it
    recorded. Unknown steps, methods and parameters are errors naming the file and field."""
    p = Path(path)
    data = _load(p)
    if isinstance(data, dict) and "method" in data and "tool" in data:  # a manifest
        data = data["method"]
    if not isinstance(data, dict):
        raise UsageError(Problem("method_file", file=str(p), value="not a mapping of steps"))
    try:
        method = Method.from_dict(data, where=str(p))
        check_method(method)
    except TuraqtyError as err:
        raise UsageError([Problem(q.key, file=q.file or str(p), row=q.row, column=q.column,
                                  value=q.value, params=q.params) for q in err.problems]) from None
    return method


def check_method(method: Method) -> None:
    """Every step names a registry entry and only parameters that entry takes."""
    from turaqty.core.pipeline import STEPS
    from turaqty.core.registry import parameter_names

    context = {"directions", "denominators", "groups", "membership", "weights", "lower", "upper"}
    steps = [(s, getattr(method, s)) for s in ("denominate", "impute", "treat", "normalise")]
    steps += [("aggregate", method.aggregate)] if method.aggregate.method != "framework" else []
    steps += [("aggregate", s) for _, s in method.aggregate_by_level + method.aggregate_by_node]
    for name, step in steps:
        registry = STEPS[name]
        if step.method not in registry:
            raise UsageError(Problem("method_choice", column=name, value=step.method,
                                     params={"choices": ", ".join(registry)}))
        accepted = set(parameter_names(registry[step.method])) | {"group", "by"}
        for key in step.params:
            if key not in accepted - (context - {"lower", "upper", "weights"}):
                names = ", ".join(sorted(accepted - context))
                raise UsageError(Problem("method_param", column=f"{name}.{key}", value=step.params[key],
                                         params={"expected": "is not a parameter of "
                                                 f"{step.method!r} ({names})"}))


def replay(manifest_path: str | Path) -> dict:
    """What a recorded result was made of: its data, framework and method (``turaqty assess
    --from OLD/manifest.json``)."""
    p = Path(manifest_path)
    data = _load(p)
    if not isinstance(data, dict) or data.get("tool") != "turaqty" or "method" not in data:
        raise UsageError(Problem("manifest_file", file=str(p), value="not a turaqty manifest"))
    inputs = data.get("inputs", {})
    source = inputs.get("data", {}).get("source", "")
    framework = inputs.get("framework", {}).get("source", "")
    return {"data": None if source.startswith("embedded:") else source,
            "sha256": inputs.get("data", {}).get("sha256", ""),
            "framework": None if framework.startswith("package:") else framework or None,
            "method": Method.from_dict(data["method"], where=str(p)),
            "lang": data.get("lang", "en")}
