"""The command line: ``turaqty assess | validate | template``.

Exit codes: 0 success, 2 a problem with the input or the request (the message says
where and how to fix it), 1 an internal error (a bug to report).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from turaqty.i18n import LANGUAGES, format_number, t



def _parser() -> argparse.ArgumentParser:
    from turaqty.assessment import version

    p = argparse.ArgumentParser(
        prog="turaqty",
        description="Assess the sustainable development of Kazakhstan's regions: 1-9 scores, "
                    "social/economic/ecological indices, the integral index (3-27), ranks, levels "
                    "and the sustainability matrix.",
        epilog="Run 'turaqty COMMAND --help' for the options of a command.",
    )
    p.add_argument("--version", action="version", version=f"turaqty {version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp):
        sp.add_argument("--lang", choices=LANGUAGES, default=os.environ.get("TURAQTY_LANG", "en")
                        if os.environ.get("TURAQTY_LANG") in LANGUAGES else "en",
                        help="language of names, headers and messages (default: en, or $TURAQTY_LANG)")

    a = sub.add_parser("assess", help="assess regions and write scores, indices, ranks, levels",
                       description="Assess the regions in DATA (default: the embedded 2023 data) "
                                   "and write scores.csv, indices.csv, stats.csv, matrix.csv, "
                                   "warnings.csv, results.xlsx and manifest.json into --out.")
    a.add_argument("data", nargs="?", metavar="DATA",
                   help="CSV or XLSX file, wide: a 'region' column and one column per indicator "
                        "code (B1 ... B52); omit to use the embedded 2023 data")
    a.add_argument("--profile", choices=("default", "dissertation"), default="default",
                   help="default: meaningful directions, B43 left out (suspect data); "
                        "dissertation: the directions and choices of the printed tables")
    a.add_argument("--out", default="turaqty-out", metavar="DIR",
                   help="output folder (default: ./turaqty-out); files in it are replaced")
    a.add_argument("--exclude", action="append", default=[], metavar="CODE",
                   help="leave an indicator out of the index (repeatable)")
    a.add_argument("--include", action="append", default=[], metavar="CODE",
                   help="put back an indicator the profile leaves out, e.g. B43 (repeatable)")
    a.add_argument("--quiet", action="store_true", help="do not print the ranking")
    common(a)

    v = sub.add_parser("validate", help="check a data file and report every problem",
                       description="Check DATA without assessing it: every problem is reported "
                                   "with its row and column; exit code 0 if it can be assessed.")
    v.add_argument("data", metavar="DATA", help="CSV or XLSX file to check")
    common(v)

    tp = sub.add_parser("template", help="write an empty input file to fill in",
                        description="Write an empty data file: the 20 regions and the national "
                                    "row, one column per indicator, with names and units.")
    tp.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    tp.add_argument("--out", metavar="FILE",
                    help="where to write it (default: ./turaqty-template.csv or .xlsx)")
    common(tp)
    return p


def _method(args, lang):
    from turaqty.catalog import load_framework
    from turaqty.errors import Problem, UsageError
    from turaqty.method import get_method

    method = get_method(args.profile)
    if not (args.exclude or args.include):
        return method
    fw = load_framework(method.framework)
    excluded = dict(method.exclude)
    for option, codes in (("--exclude", args.exclude), ("--include", args.include)):
        for text in codes:
            code = fw.resolve_code(text)
            if code is None:
                raise UsageError(Problem("unknown_option_code", column=option, value=text))
            if option == "--exclude":
                excluded[code] = "user"
            else:
                excluded.pop(code, None)
    return method.replace(exclude=tuple(excluded.items()))


def _summary(a, lang: str) -> str:
    table = a.ranking()
    head = [t("col.rank_integral", lang), t("col.name", lang), t("col.social", lang),
            t("col.economic", lang), t("col.ecological", lang), t("col.integral", lang),
            t("col.level_integral", lang)]
    rows = [[("" if r.rank_integral is None or r.rank_integral != r.rank_integral else str(r.rank_integral)),
             r.name, format_number(r.social, lang), format_number(r.economic, lang),
             format_number(r.ecological, lang), format_number(r.integral, lang),
             t(f"level.{r.level_integral}", lang) if r.level_integral else ""]
            for r in table.itertuples()]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    right = {0, 2, 3, 4, 5}

    def line(cells):
        return "  ".join(str(c).rjust(w) if k in right else str(c).ljust(w)
                         for k, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _assess(args) -> int:
    from turaqty.assessment import assess
    from turaqty.outputs import write_assessment

    lang = args.lang
    a = assess(args.data, profile=_method(args, lang), lang=lang)
    out = Path(args.out)
    write_assessment(a, out)
    if not args.quiet:
        print(t("cli.title", lang, profile=a.method.profile, source=a.dataset.source))
        print(_summary(a, lang))
        print()
    print(t("cli.written", lang, out=str(out), warnings=len(a.warnings)))
    return 0


def _validate(args) -> int:
    from turaqty.io.read import check_data

    lang = args.lang
    checked = check_data(args.data)
    for p in checked.problems:
        print(p.render(lang), file=sys.stderr)
    if checked.problems:
        print(t("cli.invalid", lang, file=args.data, n=len(checked.problems)), file=sys.stderr)
        return 2
    ds = checked.dataset
    from turaqty.assessment import assess

    a = assess(ds, lang=lang)
    for message in a.warnings["message"]:
        print(f"{t('warning', lang)}: {message}")
    print(t("cli.valid", lang, file=args.data, regions=len(ds.units), indicators=len(ds.indicators),
            national=t("yes" if ds.national is not None else "no", lang), warnings=len(a.warnings)))
    return 0


def _template(args) -> int:
    from turaqty.io.template import template_bytes
    from turaqty.io.write import write_file

    out = args.out or f"turaqty-template.{args.format}"
    write_file(out, template_bytes(args.format, args.lang))
    print(t("cli.template_written", args.lang, out=out))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from turaqty.errors import TuraqtyError

    lang = getattr(args, "lang", "en")
    try:
        return {"assess": _assess, "validate": _validate, "template": _template}[args.command](args)
    except TuraqtyError as err:
        print(f"{t('error', lang)}: {err.render(lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a bug: say so, and how to report it
        if os.environ.get("TURAQTY_DEBUG"):
            raise
        print(t("cli.internal_error", lang, error=f"{type(err).__name__}: {err}"),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
