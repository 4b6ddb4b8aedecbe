"""The jobs command line: `python -m jobs check | report | watch | sync`.

Each subcommand is one `add_<name>` (its options) and one `run_<name>` (its work, returning the
exit code): a new subcommand is one more pair in COMMANDS. Exit codes: 0 fine, 1 a regression
beyond noise (check), 2 a usage or API error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from client.aymara import ALL_WORKSPACES
from jobs.connect import USAGE_OR_API_ERROR, JobError, Scope, aymara_client, fail, load, public_url


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace", help="an Aymara workspace uuid (default: what the key can see)"
    )
    parser.add_argument(
        "--include-sandbox", action="store_true", help="count sandbox runs (left out by default)"
    )


def add_check(parser: argparse.ArgumentParser) -> None:
    """Options of `check`."""
    _common(parser)
    parser.add_argument(
        "--eval", action="append", dest="evals", metavar="NAME_OR_UUID",
        help="an eval to check (repeatable; default: every eval)",
    )  # fmt: skip
    parser.add_argument(
        "--baseline", default="latest-finished", metavar="latest-finished|RUN",
        help="the run to compare with: the finished run before the newest (default) or a run",
    )  # fmt: skip
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    parser.add_argument(
        "--min-drop", type=float, default=0.0, metavar="PP",
        help="fail only on drops of at least this many percentage points (0)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")


def run_check(args: argparse.Namespace) -> int:
    """Compare, print the summary, exit 1 on a regression beyond noise."""
    from jobs.check import run_check as check
    from jobs.check import to_json, to_markdown, validate

    validate(args.alpha, args.min_drop)  # before any request
    client = aymara_client()
    data = load(client, args.workspace, strict=True)
    scope = Scope(public_url(client.base_url), args.workspace, args.include_sandbox)
    result = check(data, scope, args.evals, args.baseline, args.alpha, args.min_drop)
    print(to_json(result) if args.json else to_markdown(result))
    return result.exit_code


def add_report(parser: argparse.ArgumentParser) -> None:
    """Options of `report`."""
    _common(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--eval", metavar="NAME_OR_UUID", help="an eval's history of runs")
    what.add_argument("--run", metavar="RUN", help="one run and its responses")
    what.add_argument("--compare", nargs=2, metavar=("A", "B"), help="two runs, prompt by prompt")
    what.add_argument("--regressions", action="store_true", help="the regression board")
    parser.add_argument("--out", type=Path, required=True, help="the HTML file to write")


def run_report(args: argparse.Namespace) -> int:
    """Write one self-contained HTML file."""
    from jobs.report import ReportRequest, build_report

    client = aymara_client()
    data = load(client, args.workspace, strict=False)
    scope = Scope(public_url(client.base_url), args.workspace, args.include_sandbox)
    request = ReportRequest(
        eval=args.eval, run=args.run, compare=tuple(args.compare or ()),
        regressions=args.regressions,
    )  # fmt: skip
    html = build_report(data, scope, request, client=client)
    try:
        args.out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise JobError(f"Could not write {args.out}: {exc.strerror}.") from None
    size = args.out.stat().st_size
    print(f"Wrote {args.out} ({size / 1_000_000:.2f} MB)")
    return 0


def add_watch(parser: argparse.ArgumentParser) -> None:
    """Options of `watch`."""
    _common(parser)
    parser.add_argument("--webhook", required=True, help="a Slack-compatible incoming webhook URL")
    parser.add_argument(
        "--every", default="10m", help="how often to look (e.g. 30s, 10m, 1h; default 10m)"
    )
    parser.add_argument("--once", action="store_true", help="look once, post, and exit")
    parser.add_argument(
        "--post-existing", action="store_true",
        help="on the first look, post what is already there (default: remember it silently)",
    )  # fmt: skip
    parser.add_argument("--state", type=Path, help="the state file (default: in the cache dir)")


def run_watch(args: argparse.Namespace) -> int:
    """Look, post new events, sleep, repeat."""
    from jobs.watch import Watcher, parse_every

    every = parse_every(args.every)
    watcher = Watcher.from_args(args)
    if args.once:
        return USAGE_OR_API_ERROR if watcher.look_and_post() else 0
    while True:
        try:
            watcher.look_and_post()
        except JobError as exc:  # an API down for one look: said, and looked at again later
            fail(f"{exc} (looking again in {args.every})")
        time.sleep(every)


def add_sync(parser: argparse.ArgumentParser) -> None:
    """Options of `sync`."""
    parser.add_argument(
        "--lake", metavar="URL",
        help="a folder or s3://bucket/prefix (default: EVAL_DASHBOARD_LAKE_URL, else the "
        "account's own lake, lake/<account>/ in the cache folder, which the dashboard reads); "
        "S3 credentials and endpoint from the usual AWS_* variables",
    )  # fmt: skip
    parser.add_argument(
        "--workspace", default=ALL_WORKSPACES,
        help="an Aymara workspace uuid (default: every workspace the key can see, **)",
    )  # fmt: skip
    parser.add_argument(
        "--every", help="keep the lake current: sync again every interval (e.g. 10m); default once"
    )


def run_sync(args: argparse.Namespace) -> int:
    """Sync the API into the lake, once or every interval, as the lake's one writer."""
    from jobs.sync import run_syncs
    from jobs.watch import parse_every

    every = parse_every(args.every) if args.every else None
    return run_syncs(aymara_client(), args.lake, args.workspace, every)


Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int], str]
COMMANDS: dict[str, Command] = {
    "check": (add_check, run_check, "gate CI: exit 1 only on a regression beyond noise"),
    "report": (add_report, run_report, "write a self-contained HTML report"),
    "watch": (add_watch, run_watch, "post new regressions and critical failures to a webhook"),
    "sync": (add_sync, run_sync, "sync the API into the results lake (Delta tables)"),
}


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subparser per command."""
    parser = argparse.ArgumentParser(prog="python -m jobs", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (add, _run, summary) in COMMANDS.items():
        add(sub.add_parser(name, help=summary, description=summary))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run, and turn every expected failure into a message and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command][1](args)
    except JobError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return USAGE_OR_API_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
