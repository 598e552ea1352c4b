"""Run benchmarks: ``python -m bench [NAME ...] [--quick]``.

A benchmark is a module with ``TITLE``, ``run(quick: bool) -> dict`` (figures, JSON-able) and
``report(result: dict) -> str``. Add one by listing it in ``BENCHMARKS``. Results are printed and
written to ``bench-results/<name>.json`` (not committed), with the machine they ran on.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

BENCHMARKS = {
    "certificates": "bench.certificates",
    "load": "bench.load",
    "national": "bench.national",
    "pages": "bench.pages",
}
RESULTS_DIR = Path(__file__).resolve().parent.parent / "bench-results"


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "at": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"default: all of {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller batches")
    args = parser.parse_args(argv)
    if unknown := [name for name in args.names if name not in BENCHMARKS]:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    RESULTS_DIR.mkdir(exist_ok=True)
    for name in args.names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name])
        print(f"== {module.TITLE} ==", flush=True)
        result = {"machine": machine(), "quick": args.quick, **module.run(quick=args.quick)}
        print(module.report(result), flush=True)
        target = RESULTS_DIR / f"{name}.json"
        target.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"(written to {target})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
