"""`python -m simulator`: serve both demo APIs, or print the dataset's ground truth."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from simulator.settings import SimSettings


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line; every data or fault option may also come from SIMULATOR_<NAME>."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Serve the Aymara v2 and Feather v1 APIs from a seeded demo dataset.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--api-key", help="the key clients must send (prefer SIMULATOR_API_KEY: argv is public)"
    )
    parser.add_argument("--seed", type=int)
    parser.add_argument("--scale", type=float, help="multiplies the number of runs (1 = ~50)")
    parser.add_argument(
        "--prompts-per-eval",
        type=int,
        help="give every Aymara eval this many prompts (default: each eval's own, 20-100)",
    )
    parser.add_argument("--latency-ms", type=float)
    parser.add_argument("--fault-rate", type=float, help="share of requests answered 5xx/429")
    parser.add_argument("--truncate-rate", type=float, help="share of 200s cut to half length")
    parser.add_argument("--stall-rate", type=float, help="share of requests delayed by stall-s")
    parser.add_argument("--stall-s", type=float)
    parser.add_argument("--retry-after-s", type=float, help="Retry-After sent with 429s")
    parser.add_argument("--max-consecutive-faults", type=int)
    parser.add_argument(
        "--no-feather-activity",
        action="store_true",
        help="act like a Feather server older than v1.90 (no /v1/eval-runs/activity)",
    )
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--print-ground-truth", action="store_true", help="print the ground truth JSON and exit"
    )
    return parser.parse_args(argv)


def settings_from_args(args: argparse.Namespace) -> SimSettings:
    """Environment first, then the options given on the command line."""
    overrides: dict[str, object] = {
        "api_key": args.api_key,
        "seed": args.seed,
        "scale": args.scale,
        "prompts_per_eval": args.prompts_per_eval,
        "latency_ms": args.latency_ms,
        "fault_rate": args.fault_rate,
        "truncate_rate": args.truncate_rate,
        "stall_rate": args.stall_rate,
        "stall_s": args.stall_s,
        "retry_after_s": args.retry_after_s,
        "max_consecutive_faults": args.max_consecutive_faults,
    }
    if args.no_feather_activity:
        overrides["feather_activity"] = False
    return SimSettings.from_env(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    settings = settings_from_args(args)
    if args.print_ground_truth:
        from simulator.ground_truth import ground_truth

        json.dump(ground_truth(settings), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0

    import uvicorn

    from simulator.app import create_app

    print(
        f"Simulator on http://{args.host}:{args.port} (seed {settings.seed}, scale "
        f"{settings.scale:g}, fault rate {settings.fault_rate:g})",
        file=sys.stderr,
    )
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
