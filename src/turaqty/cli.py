"""The command line: ``turaqty assess | risk | report | brief | reproduce | audit | scenario |
whatif | robustness | validate | template``.

Exit codes: 0 success, 2 a problem with the input or the request (the message says
where and how to fix it), 1 an internal error (a bug to report).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from pathlib import Path

from turaqty.i18n import LANGUAGES, format_number, t, worded


def _language(argv: list[str]) -> str:
    """The language asked for: ``--lang X`` anywhere in ``argv``, else $TURAQTY_LANG, else en.
    Read before parsing so that ``--help`` itself speaks that language."""
    for k, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[k + 1] if arg == "--lang" and k + 1 < len(argv) else None)
        if value in LANGUAGES:
            return value
    env = os.environ.get("TURAQTY_LANG", "")
    return env if env in LANGUAGES else "en"


@contextlib.contextmanager
def argparse_words(lang: str):
    """argparse's own words (usage, options, its error messages) in ``lang`` while the
    parser is built and used; argparse's translator is restored afterwards, so other parsers
    in the same process keep theirs."""
    def translate(text: str) -> str:
        return t(f"argparse.{text}", lang, default=text)

    # argparse's translator ``_`` is private, so typeshed does not declare it
    original = argparse._  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = original  # type: ignore[attr-defined]


def _parser(lang: str) -> argparse.ArgumentParser:
    from turaqty import __version__

    def h(key: str) -> str:
        return t(f"cli.help.{key}", lang).replace("%", "%%")  # argparse formats help with %

    p = argparse.ArgumentParser(prog="turaqty", description=h("turaqty"), epilog=h("epilog"))
    p.add_argument("--version", action="version", version=t("cli.version", lang, version=__version__))
    p.add_argument("--lang", choices=LANGUAGES, default=lang, help=h("lang"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    shared = {  # options several commands take, by name
        "data": lambda sp: _data_argument(sp, h),
        "profile": lambda sp: sp.add_argument("--profile", choices=("default", "dissertation"),
                                              help=h("profile")),
        "out": lambda sp: sp.add_argument("--out", default="turaqty-out", metavar="DIR",
                                          help=h("assess_out")),
        "risk": lambda sp: sp.add_argument("--risk-thresholds", choices=("derived", "printed", "criteria"),
                                           help=h("risk_thresholds")),
        "year": lambda sp: sp.add_argument("--year", type=int, metavar="YEAR", help=h("year")),
        "bounds": lambda sp: sp.add_argument("--bounds", choices=("baseline", "recomputed"),
                                             default="baseline", help=h("bounds")),
    }

    def command(name: str, *options: str):
        sp = sub.add_parser(name, help=h(name), description=h(f"{name}_description"))
        for option in options:
            shared[option](sp)
        sp.add_argument("--lang", choices=LANGUAGES, default=lang, help=h("lang"))
        return sp

    def framework_options(sp) -> None:
        """The framework and how the method weighs it: ``--framework``, ``--method``,
        ``--allow-partial``, ``--weight`` (assess, risk, report, brief, audit, whatif)."""
        sp.add_argument("--framework", metavar="PATH", help=h("framework_opt"))
        sp.add_argument("--method", metavar="FILE", help=h("method"))
        sp.add_argument("--allow-partial", action="store_true", help=h("allow_partial"))
        sp.add_argument("--weight", action="append", default=[], metavar="NODE=WEIGHT", help=h("weight"))

    shared["framework"] = framework_options
    a = command("assess", "data", "profile", "out", "risk", "year", "framework")
    a.add_argument("--from", dest="replay", metavar="MANIFEST", help=h("replay"))
    a.add_argument("--exclude", action="append", default=[], metavar="CODE", help=h("exclude"))
    a.add_argument("--include", action="append", default=[], metavar="CODE", help=h("include"))
    a.add_argument("--quiet", action="store_true", help=h("quiet"))

    command("risk", "data", "risk", "profile", "out", "year", "framework").add_argument(
        "--quiet", action="store_true", help=h("quiet_risk"))
    rp = command("report", "data", "profile", "out", "risk", "year", "framework")
    rp.add_argument("--pdf", action="store_true", help=h("pdf"))
    rp.add_argument("--docx", action="store_true", help=h("docx"))
    rp.add_argument("--robustness-runs", type=int, default=1000, metavar="N", help=h("robustness_runs"))
    rp.add_argument("--robustness-sobol", type=int, default=128, metavar="N", help=h("robustness_sobol"))
    rp.add_argument("--seed", type=int, default=0, metavar="S", help=h("seed"))

    br = command("brief")
    br.add_argument("region", metavar="REGION|all", help=h("brief_region"))
    for option in ("data", "profile", "out", "risk", "framework"):
        shared[option](br)
    br.add_argument("--previous", metavar="DATA", help=h("previous"))
    br.add_argument("--pdf", action="store_true", help=h("brief_pdf"))
    br.add_argument("--robustness-runs", type=int, default=1000, metavar="N", help=h("brief_robustness_runs"))
    br.add_argument("--seed", type=int, default=0, metavar="S", help=h("seed"))
    command("reproduce", "out")
    command("audit", "data", "profile", "out", "year", "framework")

    sc = sub.add_parser("scenario", help=h("scenario"), description=h("scenario_description"))
    sc.add_argument("scenario", nargs="?", metavar="MACRO:SCENARIO", help=h("scenario_id"))
    for option in ("data", "bounds", "profile", "out", "year"):
        shared[option](sc)
    sc.add_argument("--method", metavar="FILE", help=h("method"))
    sc.add_argument("--list", action="store_true", help=h("scenario_list"))
    sc.add_argument("--lang", choices=LANGUAGES, default=lang, help=h("lang"))

    wi = command("whatif", "data", "bounds", "profile", "out", "year", "framework")
    wi.add_argument("--set", action="append", default=[], metavar="REGION.CODE=VALUE", help=h("set"))
    wi.add_argument("--file", metavar="FILE", help=h("whatif_file"))

    rb = command("robustness", "data", "profile", "out")
    rb.add_argument("--framework", metavar="PATH", help=h("framework_opt"))
    rb.add_argument("--method", metavar="FILE", help=h("method"))
    rb.add_argument("--factors", metavar="FILE", help=h("factors"))
    rb.add_argument("--panel", action="append", metavar="FILE|embedded", help=h("panel"))
    rb.add_argument("--runs", "--n", dest="runs", type=int, default=1000, metavar="N", help=h("runs"))
    rb.add_argument("--sobol", type=int, default=1024, metavar="N", help=h("sobol"))
    rb.add_argument("--top", type=int, default=5, metavar="K", help=h("top"))
    rb.add_argument("--seed", type=int, default=0, metavar="S", help=h("seed"))
    rb.add_argument("--threads", type=int, default=1, metavar="N", help=h("threads"))
    rb.add_argument("--memory", type=float, default=256.0, metavar="MB", help=h("memory"))
    rb.add_argument("--workers", type=int, metavar="N", help=h("workers"))
    rb.add_argument("--scheduler", metavar="ADDRESS", help=h("scheduler"))

    validate = command("validate")
    validate.add_argument("data", metavar="DATA", help=h("validate_data"))
    _reading_options(validate, h)

    fr = command("framework")
    fr.add_argument("action", choices=("template", "validate"), help=h("framework_action"))
    fr.add_argument("path", metavar="PATH", help=h("framework_path"))
    fr.add_argument("--force", action="store_true", help=h("force"))

    mo = sub.add_parser("monitor", help=h("monitor"), description=h("monitor_description"))
    mo.add_argument("data", nargs="*", metavar="DATA", help=h("monitor_data"))
    mo.add_argument("--base-year", type=int, metavar="YEAR", help=h("base_year"))
    mo.add_argument("--bounds", choices=("pooled", "base", "targets"), default="pooled",
                    help=h("monitor_bounds"))
    mo.add_argument("--indicators", choices=("common", "all"), default="common",
                    help=h("monitor_indicators"))
    mo.add_argument("--years", metavar="FROM-TO", help=h("years"))
    mo.add_argument("--targets", metavar="FILE", help=h("targets"))
    mo.add_argument("--outside-layout", choices=("error", "drop"), default="error",
                    help=h("outside_layout"))
    mo.add_argument("--framework", metavar="PATH", help=h("framework_opt"))
    mo.add_argument("--method", metavar="FILE", help=h("method"))
    shared["profile"](mo)
    mo.add_argument("--out", default="turaqty-monitor", metavar="DIR", help=h("assess_out"))
    mo.add_argument("--lang", choices=LANGUAGES, default=lang, help=h("lang"))

    im = sub.add_parser("import", help=h("import"), description=h("import_description"))
    im.add_argument("format", choices=("kazstat",), help=h("import_format"))
    im.add_argument("folder", metavar="FOLDER", help=h("import_folder"))
    im.add_argument("--out", required=True, metavar="FILE", help=h("import_out"))
    im.add_argument("--breakdown", action="append", default=[], metavar="COLUMN=VALUE",
                    help=h("breakdown"))
    im.add_argument("--framework", metavar="PATH", help=h("framework_opt"))
    im.add_argument("--lang", choices=LANGUAGES, default=lang, help=h("lang"))

    tp = command("template")
    tp.add_argument("--format", choices=("csv", "xlsx"), help=h("format"))
    tp.add_argument("--out", metavar="FILE", help=h("template_out"))
    tp.add_argument("--force", action="store_true", help=h("force"))
    return p


def _data_argument(sp, h) -> None:
    """The DATA argument and the options for reading it."""
    sp.add_argument("data", nargs="?", metavar="DATA", help=h("assess_data"))
    _reading_options(sp, h)


def _reading_options(sp, h) -> None:
    """Options of every command that reads a data file: the sheet, the row cap."""
    sp.add_argument("--sheet", metavar="NAME", help=h("sheet"))
    sp.add_argument("--max-rows", type=int, metavar="N", help=h("max_rows"))


def _data(args, data=None, framework=None):
    """The data to assess: the file's path, or its dataset when a sheet is named (read
    against ``framework`` when one is given)."""
    data = args.data if data is None else data
    if not (getattr(args, "sheet", None) and data):
        return data
    from turaqty.io.frameworks import read_framework, units_catalogue
    from turaqty.io.read import read_data

    fw = None if framework is None else read_framework(framework)
    return read_data(data, fw, units_catalogue(fw) if fw is not None else None, sheet=args.sheet)


def _method(args, lang):
    from turaqty.errors import Problem, UsageError
    from turaqty.io.frameworks import read_framework
    from turaqty.io.methods import read_method
    from turaqty.model.method import Method, get_method

    if getattr(args, "method", None):
        method = read_method(args.method)
    elif getattr(args, "replay_method", None) is not None:
        method = args.replay_method
    elif args.profile is None and getattr(args, "framework", None):
        method = Method(profile="generic")  # a user framework: min–max 1–9, weighted means
    else:
        method = get_method(args.profile or "default")
    if getattr(args, "allow_partial", False):
        method = method.replace(availability=0.0, profile=method.profile)
    risk_thresholds = getattr(args, "risk_thresholds", None)
    if risk_thresholds and risk_thresholds != method.risk_thresholds:
        method = method.replace(risk_thresholds=risk_thresholds)
    exclude, include = getattr(args, "exclude", []), getattr(args, "include", [])
    weights = getattr(args, "weight", [])
    if not (exclude or include or weights):
        return method
    fw = read_framework(getattr(args, "framework", None) or method.framework or "kz-isdr")
    if weights:
        method = method.replace(weights={**dict(method.weights), **_weights(weights, fw)},
                                profile=method.profile)
    excluded = dict(method.exclude)
    for option, codes in (("--exclude", exclude), ("--include", include)):
        for text in codes:
            code = fw.resolve_code(text)
            if code is None:
                raise UsageError(Problem("unknown_option_code", value=text, params={"option": option}))
            if option == "--exclude":
                excluded[code] = "user"
            else:
                excluded.pop(code, None)
    return method.replace(exclude=tuple(excluded.items()), profile=method.profile)


def _weights(settings: list[str], fw) -> dict[str, float]:
    """``--weight NODE=W`` (an indicator code or an aggregate id of the framework)."""
    from turaqty.errors import Problem, UsageError

    out = {}
    for text in settings:
        node, _, value = text.partition("=")
        node = fw.resolve_code(node) or node.strip()
        try:
            weight = float(value.replace(",", "."))
        except ValueError:
            weight = float("nan")
        if node not in fw.by_code and node not in fw.by_node:
            raise UsageError(Problem("unknown_option_code", value=text, params={"option": "--weight"}))
        if not weight >= 0 or weight == float("inf"):
            raise UsageError(Problem("method_weight", column=f"--weight {node}", value=value))
        out[node] = weight
    return out


def _title(a, lang: str) -> str:
    """The console's first line: what was assessed (the dissertation's title for kz-isdr,
    else the framework's name), with which method, on which data."""
    from turaqty.report.scope import framework_name, profile_name, source_name

    profile, source = profile_name(a.method, lang), source_name(a.dataset, lang)
    if a.home:
        return t("cli.title", lang, profile=profile, source=source)
    return t("cli.title_framework", lang, framework=framework_name(a), profile=profile, source=source)


def _summary(a, lang: str, most: int = 8) -> str:
    """The ranking: rank, name, the index columns (the root and the nodes below it; at most
    ``most`` columns), the root's level."""
    import pandas as pd

    from turaqty.report.scope import column_name

    fw = a.framework
    root = fw.root
    shown = [c for c in fw.index_columns if c != root][-(most - 1):] + [root]
    table = a.ranking()
    has_level = f"level_{root}" in table.columns
    head = [t("col.rank_integral", lang), column_name(a, "name")]
    head += [column_name(a, c) for c in shown]  # the framework's own names outside kz-isdr
    head += [t("col.level_integral", lang)] if has_level else []
    rows = []
    for r in table.to_dict("records"):
        rank = r[f"rank_{root}"]
        row = ["" if pd.isna(rank) else str(int(rank)), r["name"]]
        row += [format_number(r[c], lang) for c in shown]
        if has_level:
            row.append(t(f"level.{r[f'level_{root}']}", lang) if r[f"level_{root}"] else "")
        rows.append(row)
    return _table(head, rows, right=set(range(2, 2 + len(shown))) | {0})


def _table(head: list[str], rows: list[list[str]], right: set[int]) -> str:
    """A plain-text table: columns padded, numbers (``right``) aligned right."""
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]

    def line(cells):
        return "  ".join(str(c).rjust(w) if k in right else str(c).ljust(w)
                         for k, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _assess(args) -> int:
    from turaqty.engine.assessment import assess
    from turaqty.report.outputs import write_assessment

    lang = args.lang
    data, framework = args.data, args.framework
    if args.replay:
        from turaqty.io.methods import replay

        recorded = replay(args.replay)
        data = data or recorded["data"]
        framework = framework or recorded["framework"]
        args.replay_method = recorded["method"]
    a = assess(_data(args, data, framework), profile=_method(args, lang), lang=lang, framework=framework,
               year=args.year)
    if args.replay and a.dataset.sha256 != recorded["sha256"]:
        from turaqty.errors import Problem, UsageError

        raise UsageError(Problem("replay_data_changed", file=a.dataset.source,
                                 params={"manifest": args.replay}))
    out = Path(args.out)
    write_assessment(a, out, protect=data)
    partial = a.manifest["partial_indices"]
    if partial:  # a banner: indices ranked on less than 80 % of their indicators
        print(t("cli.partial_banner", lang, nodes=", ".join(a.framework.pillar_name(n, lang)
                                                            for n in partial)), file=sys.stderr)
    if not args.quiet:
        print(_title(a, lang))
        print(_summary(a, lang))
        print()
    print(t("cli.written", lang, out=str(out), warnings=len(a.warnings)))
    return 0


def _assessed(args, data=None, method=None):
    """The assessment a command works on: ``data`` (default: the command's DATA) against
    ``--framework`` (if given) by ``method`` (default: the one the options ask for)."""
    from turaqty.engine.assessment import assess

    framework = getattr(args, "framework", None)
    data = args.data if data is None else data
    return assess(_data(args, data, framework), profile=method or _method(args, args.lang), lang=args.lang,
                  framework=framework, year=getattr(args, "year", None))


def _risk(args) -> int:
    from turaqty.errors import Problem, UsageError
    from turaqty.report.outputs import write_assessment
    from turaqty.report.scope import source_name

    lang = args.lang
    a = _assessed(args)
    if not a.has_risk_map:
        raise UsageError(Problem("risk_no_rules", value=a.framework.source or a.framework.id))
    write_assessment(a, Path(args.out), risk_only=True, protect=args.data)
    if not args.quiet:
        print(t("cli.risk_title", lang, mode=t(f"risk.mode.{a.method.risk_thresholds}", lang),
                source=source_name(a.dataset, lang)))
        print(_risk_summary(a, lang))
        print()
        for text in a.findings["text"]:
            print(f"- {text}")
        print()
    print(t("cli.written", lang, out=str(args.out), warnings=len(a.warnings)))
    return 0


def _risk_summary(a, lang: str) -> str:
    s = a.risk_summary.sort_values("high_total", ascending=False, kind="stable")
    head = [t("col.name", lang), t("col.high_total", lang), t("col.medium_total", lang),
            t("col.low_total", lang)]
    rows = [[r.name, str(r.high_total), str(r.medium_total), str(r.low_total)]
            for r in s.itertuples()]
    return _table(head, rows, right={1, 2, 3})


def _report(args) -> int:
    from turaqty.io.write import write_folder
    from turaqty.report.outputs import report_files

    lang = args.lang
    if args.pdf:
        from turaqty.report.pdf import find_chromium

        find_chromium()  # before any work: no Chromium, no output
    a = _assessed(args)
    files = report_files(a, pdf=args.pdf, docx=args.docx, robustness_runs=args.robustness_runs,
                         robustness_sobol=args.robustness_sobol, seed=args.seed)
    write_folder(args.out, files, protect=args.data)
    print(t("cli.report_written", lang, out=str(args.out), size=len(files["report.html"]) // 1024))
    extra = [name for name in ("report.pdf", "report.docx") if name in files]
    if extra:
        print(t("cli.report_extra_written", lang, files=", ".join(f"{args.out}/{name}" for name in extra)))
    return 0


def _brief(args) -> int:
    from turaqty.io.write import write_folder
    from turaqty.report.brief import regions_asked
    from turaqty.report.outputs import brief_files

    lang = args.lang
    if args.pdf:
        from turaqty.report.pdf import find_chromium

        find_chromium()
    method = _method(args, lang)
    a = _assessed(args, method=method)
    units = regions_asked(a, args.region)
    previous = _assessed(args, args.previous, method) if args.previous else None
    files = brief_files(a, units, previous, pdf=args.pdf, robustness_runs=args.robustness_runs,
                        seed=args.seed)
    write_folder(args.out, files, protect=args.data)
    print(t(worded("cli.brief_written", a.home), lang, n=len(units), out=str(args.out), files=len(files)))
    return 0


def _reproduce(args) -> int:
    from turaqty.analysis.reproduction import reproduce
    from turaqty.io.write import write_folder
    from turaqty.report.outputs import reproduction_files

    lang = args.lang
    r = reproduce(lang)
    write_folder(args.out, reproduction_files(r, lang))
    counts = r.cells["status"].value_counts()
    print(t("reproduce.summary_text", lang, n=len(r.cells),
            reproduced=int(counts.get("reproduced", 0)), explained=int(counts.get("explained", 0)),
            unexplained=int(counts.get("unexplained", 0))))
    print(t("cli.reproduce_written", lang, out=str(args.out)))
    return 0


def _audit(args) -> int:
    from turaqty.analysis.audit import run_audit
    from turaqty.io.write import write_folder
    from turaqty.report.outputs import audit_files

    lang = args.lang
    a = _assessed(args)
    audit = run_audit(a)
    write_folder(args.out, audit_files(a, audit), protect=args.data)
    for f in audit["flags"]:
        severity = t(f"audit.severity.{f['severity']}", lang)
        kind = t(worded(f"audit.type.{f['type']}", a.home), lang, default=f["type"])
        print(f"- [{severity}; {kind}] {f['message']}")
    print(t("cli.audit_written", lang, out=str(args.out), n=len(audit["flags"])))
    return 0


def _scenario(args) -> int:
    from turaqty.analysis.scenarios import run_scenario, scenario_changes, scenario_ids, scenario_label
    from turaqty.errors import Problem, UsageError

    lang = args.lang
    if args.list or not args.scenario:
        if not args.list:
            raise UsageError(Problem("scenario_missing"))
        for sid in scenario_ids():
            print(f"{sid:28} {scenario_label(sid, lang)} ({len(scenario_changes(sid))})")
        return 0
    base = _assessed(args)
    ids = scenario_ids() if args.scenario == "all" else [args.scenario]
    results = [run_scenario(base, sid, args.bounds) for sid in ids]
    return _write_scenarios(args, base, results)


def _whatif(args) -> int:
    from turaqty.analysis.change_sets import read_change_sets
    from turaqty.analysis.scenarios import parse_settings, read_changes, run_changes
    from turaqty.errors import Problem, UsageError

    if not args.set and not args.file:
        raise UsageError(Problem("whatif_missing"))
    base = _assessed(args)  # its units and codes name the changes
    if args.file and (sets := read_change_sets(args.file, base)) is not None:
        return _whatif_sets(args, sets, base)
    changes = parse_settings(args.set, base) + (read_changes(args.file, base) if args.file else [])
    return _write_scenarios(args, base, [run_changes(base, changes, "whatif", args.bounds, strict=True)])


def _robustness(args) -> int:
    from turaqty.analysis.robustness import run_robustness
    from turaqty.io.write import write_folder
    from turaqty.report.robustness_files import robustness_files

    lang = args.lang
    data = _data(args, framework=args.framework)
    panel = "embedded" if args.panel == ["embedded"] else args.panel
    with _progress_bar(lang) as progress:
        r = run_robustness(data, framework=args.framework, method=_method(args, lang),
                           factors=args.factors, panel=panel, runs=args.runs, seed=args.seed,
                           top=args.top, sobol=args.sobol, memory_mb=args.memory, threads=args.threads,
                           workers=args.workers, scheduler=args.scheduler, lang=lang, progress=progress)
    inputs = [args.data, args.factors, getattr(args, "method", None), *(args.panel or [])]
    write_folder(args.out, robustness_files(r, lang), protect=[i for i in inputs if i and i != "embedded"])
    print(r.sentence(lang))
    if len(r.sensitivity):
        ranked = r.sensitivity.sort_values("total", ascending=False).head(3)
        print(t("robustness.top_factors", lang, factors=", ".join(
            f"{row.factor} ({format_number(row.total, lang)})" for row in ranked.itertuples())))
    print(t("cli.robustness_written", lang, out=str(args.out),
            seconds=format_number(r.manifest["seconds"]["total_s"], lang, 2)))
    return 0


@contextlib.contextmanager
def _progress_bar(lang: str):
    """A one-line progress bar on standard error when it is a terminal (``None`` when it is
    piped or redirected), rewritten in place and wiped when the run ends or fails, so the
    lines after it (results or an error) start on a clean line."""
    if not sys.stderr.isatty():
        yield None
        return
    label, width = t("robustness.progress", lang), 0

    def show(done: int, total: int) -> None:
        nonlocal width
        filled = round(30 * done / total)
        line = f"{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
        width = max(width, len(line))
        print(f"\r{line}", end="", file=sys.stderr, flush=True)
    try:
        yield show
    finally:
        if width:
            print(f"\r{' ' * width}\r", end="", file=sys.stderr, flush=True)


def _whatif_sets(args, sets, base) -> int:
    """``whatif --file`` with several change sets: one vectorised pass, one table."""
    import time

    from turaqty.analysis.change_sets import run_change_sets
    from turaqty.analysis.scenarios import parse_settings
    from turaqty.io.write import csv_bytes, json_bytes, write_folder

    lang = args.lang
    common = parse_settings(args.set, base) if args.set else []
    started = time.perf_counter()
    table = run_change_sets(base, {name: common + changes for name, changes in sets.items()},
                            args.bounds, strict=True)
    seconds = time.perf_counter() - started
    moved = table.loc[table["rank_change"] != 0, "set"].nunique()
    write_folder(args.out, {"whatif_sets.csv": csv_bytes(table), "manifest.json": json_bytes(
        {**base.manifest, "change_sets": {"file": str(args.file), "sets": len(sets),
                                          "bounds": args.bounds, "seconds": round(seconds, 4)}})},
                 protect=args.data)
    print(t("cli.whatif_sets", lang, n=len(sets), moved=moved, out=str(args.out),
            ms=format_number(seconds * 1e3, lang, 1)))
    return 0


def _write_scenarios(args, base, results) -> int:
    from turaqty.analysis.scenarios import APPLIED, comparison_summary
    from turaqty.io.write import write_folder
    from turaqty.report.outputs import scenario_files

    lang = args.lang
    summaries = [comparison_summary(r, lang) for r in results]  # for the files and the console
    write_folder(args.out, scenario_files(base, results, lang, summaries), protect=args.data)
    for r, s in zip(results, summaries, strict=True):
        moved = s[(s["rank"] != s["rank_scenario"]) | (s["levels_changed"] != "")]
        print(t(worded("cli.scenario_result", base.home), lang, name=r.name, changes=r.changed,
                moved=len(moved)))
        if r.name == "whatif":
            for line in _whatif_lines(r, lang):
                print("  " + line)
        else:
            beyond = r.applied["note"].isin(["clipped", "at_best", "at_worst"])
            if beyond.any():
                print("  " + t("cli.scenario_clipped", lang, n=int(beyond.sum()),
                               no_effect=int(r.applied["note"].isin(["at_best", "at_worst"]).sum())))
        skipped = r.applied[~r.applied["note"].isin(APPLIED)]
        if len(skipped) and r.name != "whatif":
            print("  " + t("cli.scenario_skipped", lang, n=len(skipped),
                           notes=", ".join(f"{t(f'scenario.note.{n}', lang)}: {k}"
                                           for n, k in skipped["note"].value_counts().items())))
        for row in moved.itertuples():
            print(f"  {row.name}: {format_number(row.integral, lang)} → "
                  f"{format_number(row.integral_scenario, lang)}, "
                  f"{t('col.rank_integral', lang).lower()} {row.rank} → {row.rank_scenario}"
                  + (f"; {row.levels_changed}" if row.levels_changed else ""))
    for line in _order_lines(results, lang):
        print(line)
    print(t(worded("cli.scenario_written", base.home), lang, out=str(args.out)))
    return 0


def _order_lines(results, lang: str) -> list[str]:
    """Per macro-region whose three scenarios ran: where pessimistic ≤ realistic ≤ optimistic
    breaks and why (each case is in scenario_order.csv); a member's case is printed in full."""
    from turaqty.analysis.scenario_order import order_violations
    from turaqty.model.units import load_regions

    order = order_violations(results, lang)
    macro_names = {m.id: m.name(lang) for m in load_regions().macro_regions}
    lines = []
    for macro, block in order.groupby("macro_region", sort=False):
        causes = ", ".join(t(f"scenario.order_cause.{c}", lang) for c in dict.fromkeys(block["cause"]))
        lines.append(t("cli.scenario_order", lang, macro=macro_names.get(macro, macro), n=len(block),
                       regions=block["unit_id"].nunique(),
                       members=block.loc[block["member"], "unit_id"].nunique(), causes=causes))
        lines += ["  " + text for text in block.loc[block["member"], "explanation"]]
    return lines


def _whatif_lines(result, lang: str) -> list[str]:
    """One line per what-if change: what it did to the value and the score, or why it did
    nothing (the value set is the baseline's, the score was already the best, …)."""
    base, new = result.baseline, result.assessment
    regions = base.regions
    col = {c: j for j, c in enumerate(base.dataset.indicators)}
    row = {u: i for i, u in enumerate(base.dataset.units)}
    lines = []

    def short(x: float) -> str:
        return format_number(x, lang, 4).rstrip("0").rstrip(",.")
    for ch in result.applied.itertuples():
        params = {"region": regions.name(ch.unit_id, lang), "code": ch.indicator,
                  "before": short(ch.before), "after": short(ch.after)}
        if ch.unit_id in row and ch.indicator in col:
            i, j = row[ch.unit_id], col[ch.indicator]
            params.update(score_before=format_number(base.arrays.scores[i, j], lang, 2),
                          score_after=format_number(new.arrays.scores[i, j], lang, 2),
                          score=short(base.arrays.scores[i, j]))  # at_best/at_worst: the scale's end
        lines.append(t(f"whatif.{ch.note or 'change'}", lang, **params))
    return lines


def _validate(args) -> int:
    from turaqty.io.read import check_data

    lang = args.lang
    checked = check_data(args.data, sheet=args.sheet)
    for p in checked.problems:
        print(p.render(lang), file=sys.stderr)
    if checked.problems:
        print(t("cli.invalid", lang, file=args.data, n=len(checked.problems)), file=sys.stderr)
        return 2
    ds = checked.dataset
    assert ds is not None  # a check without problems has its dataset
    from turaqty.engine.assessment import assess

    a = assess(ds, lang=lang)
    for message in a.warnings["message"]:
        print(f"{t('warning', lang)}: {message}")
    print(t("cli.valid", lang, file=args.data, regions=len(ds.units), indicators=len(ds.indicators),
            national=t("yes" if ds.national is not None else "no", lang), warnings=len(a.warnings)))
    return 0


def _template(args) -> int:
    from turaqty.errors import Problem, UsageError
    from turaqty.io.template import template_bytes
    from turaqty.io.write import write_file

    suffix = Path(args.out).suffix.lower().lstrip(".") if args.out else ""
    fmt = args.format or ("xlsx" if suffix in ("xlsx", "xlsm") else "csv")
    if args.out and suffix in ("csv", "xlsx") and suffix != fmt:
        raise UsageError(Problem("template_suffix", value=args.out, params={"format": fmt}))
    out = args.out or f"turaqty-template.{fmt}"
    if Path(out).exists() and not args.force:
        raise UsageError(Problem("out_exists", value=out))
    write_file(out, template_bytes(fmt, args.lang))
    print(t("cli.template_written", args.lang, out=out))
    return 0


def _framework(args) -> int:
    """``turaqty framework template DIR``: a framework folder to fill in;
    ``turaqty framework validate PATH``: read a framework and say what is wrong with it."""
    from turaqty.errors import Problem, UsageError
    from turaqty.io.frameworks import read_framework, units_catalogue
    from turaqty.io.write import write_folder

    lang = args.lang
    if args.action == "template":
        out = Path(args.path)
        if out.exists() and any(out.iterdir()) and not args.force:
            raise UsageError(Problem("out_exists", value=str(out)))
        write_folder(out, framework_template(lang))
        print(t("cli.framework_template", lang, out=str(out)))
        return 0
    fw = read_framework(args.path)
    units = units_catalogue(fw)
    print(t("cli.framework_valid", lang, path=args.path, id=fw.id, indicators=len(fw.indicators),
            aggregates=len(fw.aggregates), levels=fw.height[fw.root], root=fw.root,
            units=len(units.unit_ids)))
    return 0


def _monitor(args) -> int:
    from turaqty.analysis.monitor import monitor
    from turaqty.report.monitor_outputs import write_monitor

    lang = args.lang
    data = args.data or None
    m = monitor(data, framework=args.framework, profile=_method(args, lang),
                base_year=args.base_year, bounds=args.bounds, indicators=args.indicators,
                targets=_targets(args.targets) if args.targets else None, years=args.years,
                outside_layout=args.outside_layout, lang=lang)
    write_monitor(m, Path(args.out), protect=[*(data or []), *([args.method] if args.method else [])])
    print(t("cli.monitor_written", lang, first=m.years[0], last=m.years[-1], out=str(args.out),
            alerts=len(m.alerts), warnings=len(m.warnings)))
    return 0


def _targets(path: str) -> dict:
    """A targets file: ``indicator,target``, ``indicator,worst,best`` or all four columns
    (goalposts and, apart, the target of the progress status)."""
    from turaqty.errors import DataError, Problem
    from turaqty.io.cells import CellError, parse_number
    from turaqty.io.tables import read_rows

    raw = read_rows(path)
    (_, header), *body = raw.rows
    names = [str(h).strip().lower() for h in header]
    out: dict[str, float | tuple[float, ...]] = {}
    problems = []
    for n, cells in body:
        row = dict(zip(names, cells, strict=False))  # a row may be shorter than the header
        numbers = {}
        for key in ("target", "worst", "best"):
            try:
                numbers[key] = parse_number(row.get(key))
            except CellError:
                problems.append(Problem("monitor_targets_file", file=path, row=n, column=key,
                                        value=row.get(key)))
        code = str(row.get("indicator", "")).strip()
        worst, best, target = numbers.get("worst"), numbers.get("best"), numbers.get("target")
        if worst is not None and best is not None:
            out[code] = (worst, best) if target is None else (worst, best, target)
        elif target is not None:
            out[code] = target
    if problems:
        raise DataError(problems)
    return out


def _import(args) -> int:
    from turaqty.io.kazstat import kazstat_long, parse_breakdown
    from turaqty.io.write import csv_bytes, write_file
    from turaqty.model.framework import load_framework

    lang = args.lang
    fw = None
    if args.framework:
        from turaqty.engine.assessment import as_framework

        fw = as_framework(args.framework)
    frame, notices = kazstat_long(args.folder, fw or load_framework(),
                                  parse_breakdown(args.breakdown))
    from turaqty.model.panel import _code_key

    frame = frame.sort_values(["indicator", "unit_id", "year"], kind="stable",
                              key=lambda s: s.map(_code_key) if s.name == "indicator" else s)
    write_file(args.out, csv_bytes(frame))
    from turaqty.model.units import load_regions

    regions = load_regions()
    for code, indicator, unit, params in notices:
        print(t(f"warning.{code}", lang, indicator=indicator, region=regions.name(unit, lang) if unit else "",
                **params), file=sys.stderr)
    print(t("cli.import_written", lang, rows=len(frame), indicators=frame["indicator"].nunique(),
            first=int(frame["year"].min()), last=int(frame["year"].max()), out=args.out,
            warnings=len(notices)))
    return 0


def framework_template(lang: str) -> dict[str, bytes]:
    """The files of a small framework folder: two pillars, four indicators, three units."""
    structure = (
        "id,parent,type,weight,direction,aggregation,level_low,level_high,name_kk,name_ru,name_en,unit_en\n"
        "index,,aggregate,1,,arithmetic,4,7,Индекс,Индекс,Index,\n"
        "social,index,aggregate,1,,arithmetic,4,7,Әлеуметтік,Социальная,Social,\n"
        "economic,index,aggregate,1,,arithmetic,4,7,Экономикалық,Экономическая,Economic,\n"
        "S1,social,indicator,1,-,,,,Кедейлік деңгейі,Уровень бедности,Poverty rate,%\n"
        "S2,social,indicator,1,+,,,,Күтілетін өмір сүру ұзақтығы,"
        "Ожидаемая продолжительность жизни,Life expectancy,years\n"
        "E1,economic,indicator,1,+,,,,Жан басына ЖӨӨ,ВРП на душу населения,GRP per capita,thousand tenge\n"
        "E2,economic,indicator,1,-,,,,Жұмыссыздық деңгейі,Уровень безработицы,Unemployment rate,%\n")
    units = ("id,name_kk,name_ru,name_en,aliases,group\n"
             "d1,Бірінші аудан,Первый район,District 1,D-1,north\n"
             "d2,Екінші аудан,Второй район,District 2,D-2,north\n"
             "d3,Үшінші аудан,Третий район,District 3,D-3,south\n")
    meta = {"id": "my-framework", "name": {"en": "My framework", "kk": "Менің құрылымым",
                                           "ru": "Моя структура"}}
    import json

    return {"framework.json": json.dumps(meta, ensure_ascii=False, indent=1).encode(),
            "structure.csv": structure.encode(), "units.csv": units.encode(),
            "data.csv": (b"region,S1,S2,E1,E2\nDistrict 1,5.1,72.3,2100,4.9\n"
                         b"District 2,3.2,74.0,3400,4.1\nDistrict 3,7.9,70.1,1800,5.6\n")}


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    with argparse_words(_language(argv)):
        parser = _parser(_language(argv))
        args = parser.parse_args(argv)
    if args.command is None:
        with argparse_words(_language(argv)):
            parser.print_help()
        return 0
    from turaqty.errors import TuraqtyError

    lang = getattr(args, "lang", "en")
    # arithmetic on extreme values the data hold (±1e308) is handled where it matters and
    # warned about by cell; numpy's own overflow lines are noise to a user
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    if getattr(args, "max_rows", None):  # read by turaqty.io.limits, like the variable
        os.environ["TURAQTY_MAX_ROWS"] = str(args.max_rows)
    try:
        commands = {"assess": _assess, "risk": _risk, "report": _report, "reproduce": _reproduce,
                    "brief": _brief,
                    "audit": _audit,
                    "scenario": _scenario, "whatif": _whatif, "validate": _validate,
                    "robustness": _robustness,
                    "template": _template, "framework": _framework, "monitor": _monitor,
                    "import": _import}
        if getattr(args, "out", None) == "":
            from turaqty.errors import Problem, UsageError

            raise UsageError(Problem("out_empty"))
        return commands[args.command](args)
    except TuraqtyError as err:
        print(f"{t('error', lang)}: {err.render(lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        print(f"{t('error', lang)}: {t('cli.out_of_memory', lang)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of our output went away (e.g. '| head'): not an error
        # (before OSError, of which it is a kind)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
        return 0
    except OSError as err:  # the file system refused (a name too long, no space, ...)
        from turaqty.errors import Problem

        problem = Problem("file_system", value=err.filename,
                          params={"reason": err.strerror or str(err)})
        print(f"{t('error', lang)}: {problem.render(lang)}", file=sys.stderr)
        return 2
    except Exception as err:  # a bug: say so, and how to report it
        if os.environ.get("TURAQTY_DEBUG"):
            raise
        print(t("cli.internal_error", lang, error=f"{type(err).__name__}: {err}"),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
