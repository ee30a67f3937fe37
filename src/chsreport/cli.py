"""Command line: ``chsreport build``, ``chsreport run NOTEBOOK [-p k=v] [-f params.yml] [-o out]``,
``chsreport data verify``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chsreport.analysis import params
from chsreport.data import manifest
from chsreport.publishing import build, execution, notebook_runs, paths, standalone


def _parse_pairs(pairs: list[str]) -> dict:
    values = {}
    for pair in pairs:
        if "=" not in pair:
            raise params.ParameterError(f"-p expects name=value, got {pair!r}")
        key, _, text = pair.partition("=")
        values[key.strip()] = params.parse_cli_value(text)
    return values


def _build(jobs: int | None, fresh: bool) -> None:
    """Build the book; on a terminal, with a progress bar above the lines naming each notebook
    and its time (in a log file, the lines only)."""
    if not sys.stdout.isatty():
        build.build_book(workers=jobs, fresh=fresh)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("notebooks"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("notebooks", total=None)

        def say(message: str) -> None:
            bar.console.print(message, markup=False, highlight=False)

        def advance(output: str, seconds: float, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        build.build_book(workers=jobs, fresh=fresh, log=say, progress=advance)


def main(argv: list[str] | None = None) -> int:
    """The ``chsreport`` command line (build, run, data and their options); returns the exit
    code."""
    parser = argparse.ArgumentParser(prog="chsreport", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="execute the notebooks and build the book")
    build_cmd.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="notebooks executed at once (default: one per core)",
    )
    build_cmd.add_argument(
        "--fresh",
        action="store_true",
        help="re-execute every notebook, even those whose inputs are unchanged",
    )
    run = sub.add_parser("run", help="execute one notebook with your parameters")
    run.add_argument("notebook", choices=sorted(params.MODELS))
    run.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter (YAML value, e.g. icb=QE1 or start_year=2015)",
    )
    run.add_argument("-f", "--params-file", type=Path, help="a YAML file of parameters")
    run.add_argument("-o", "--output", type=Path, help="executed notebook (default: _build/runs/)")
    data_cmd = sub.add_parser("data", help="data commands")
    data_cmd.add_argument("action", choices=["verify"])
    args = parser.parse_args(argv)

    try:
        if args.command == "build":
            _build(args.jobs, args.fresh)
        elif args.command == "run":
            values = params.read_params_file(args.params_file) if args.params_file else {}
            values.update(_parse_pairs(args.param))
            checked = params.validate(args.notebook, values)
            suffix = "".join(f"_{k}-{v}" for k, v in sorted(values.items()) if k != "trust_types")
            output = args.output or paths.BUILD / "runs" / f"{args.notebook}{suffix}.ipynb"
            execution.execute(args.notebook, checked, Path(output))
            print(f"executed notebook: {output}")
            title = notebook_runs.page_title(args.notebook, checked) or args.notebook.capitalize()
            shown = ", ".join(f"{k}={v}" for k, v in sorted(values.items())) or "the defaults"
            page = standalone.write_html(
                Path(output), title, f"A re-run of the {args.notebook} chapter with {shown}."
            )
            print(f"open in a browser: {page}")
        elif args.command == "data":
            manifest.verify_all(progress=print)
            print("all data files present and verified")
    except (manifest.DataError, params.ParameterError, paths.BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: nothing was published; the last good book is unchanged", file=sys.stderr
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
