"""``python -m bench --quick|--full [--only search,fanout,replay,signatures,api]``.

Runs each benchmark against throwaway databases and real server subprocesses, prints one table per
benchmark (figures, then target vs measured with ✓/✗), writes ``bench-results/<name>.json`` and
SVG charts. Exit status is 0 whatever the figures; non-zero only when the harness itself crashed.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import time
import traceback
from pathlib import Path

from bench.env import ROOT, SkipBenchmark, detect, load_average, raise_open_file_limit
from bench.report import BenchResult, format_result, machine_info, now_iso, write_json
from bench.svg import write_chart

BENCHMARKS: dict[str, str] = {
    "search": "bench.search",
    "fanout": "bench.fanout",
    "replay": "bench.replay",
    "signatures": "bench.signatures",
    "api": "bench.api",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--quick", action="store_const", const="quick", dest="mode", help="laptop run (< 10 min)"
    )
    mode.add_argument("--full", action="store_const", const="full", dest="mode", help="every size (longer)")
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated subset of: {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--out", default=str(ROOT / "bench-results"), help="output folder")
    args = parser.parse_args(argv)
    args.mode = args.mode or "quick"
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    args.names = names
    return args


def run_one(name: str, ctx) -> BenchResult:
    module = importlib.import_module(BENCHMARKS[name])
    started = now_iso()
    try:
        result: BenchResult = module.run(ctx)
    except SkipBenchmark as skip:
        result = BenchResult(name=name, title=getattr(module, "TITLE", name), skipped=True)
        result.notes.append(f"skipped: {skip}")
    result.started_at, result.finished_at = started, now_iso()
    return result


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """``timeout`` or a CI stop sends SIGTERM: unwind, so every ``finally`` stops its server and
    drops its throwaway database instead of leaving them behind."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse_args(argv)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    raise_open_file_limit()
    ctx = detect(args.mode, out_dir)
    machine = machine_info(ctx.versions)
    print(
        f"Buyers Network benchmarks ({args.mode}) on {machine['cores']} cores, Python {machine['python']}, "
        f"SQLite {machine['sqlite']}, PostgreSQL {ctx.versions.get('postgresql', 'not reachable')}, "
        f"Redis {ctx.versions.get('redis', 'not reachable')}",
        flush=True,
    )
    crashed: list[str] = []
    run_started = time.perf_counter()
    for name in args.names:
        bench_started = time.perf_counter()
        print(f"\n… running {name} (load average {' '.join(map(str, load_average()))})", flush=True)
        try:
            result = run_one(name, ctx)
        except Exception:
            traceback.print_exc()
            crashed.append(name)
            continue
        result.data["wall_s"] = round(time.perf_counter() - bench_started, 1)
        result.data["load_average_after"] = load_average()
        print(format_result(result), flush=True)
        path = write_json(result, out_dir, machine, args.mode)
        written = [str(path.relative_to(out_dir.parent) if out_dir.is_relative_to(ROOT) else path)]
        for index, chart in enumerate(result.charts):
            suffix = "" if index == 0 else f"-{index + 1}"
            chart_path = write_chart(chart, out_dir / f"{name}{suffix}.svg")
            written.append(chart_path.name)
        print(f"(wrote {', '.join(written)}; {result.data['wall_s']} s)", flush=True)
    total = time.perf_counter() - run_started
    print(
        f"\nDone in {total / 60:.1f} min." + (f" Harness errors in: {', '.join(crashed)}" if crashed else "")
    )
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
