"""`python -m bench.starts --baseline DIR`: the wall time of short fresh-process commands (an
import, `leerstad --help`, a CLI command) with this code and another checkout's, alternating."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.run import ROOT

# What a process of each kind does first: the encoder's worker imports ingest.encoder, an
# ingest imports ingest_paths (and `leerstad ingest` enrich too), and every command but --help
# reads the settings and imports assistant.errors before its work (here: an empty feedback export).
COMMANDS: dict[str, list[str]] = {
    "python": ["-c", "pass"],
    "import ingest.encoder": ["-c", "import ingest.encoder"],
    "import ingest_paths": ["-c", "from ingest import ingest_paths"],
    "import enrich, ingest_paths": ["-c", "from ingest import enrich, ingest_paths"],
    "leerstad --help": ["-m", "leerstad.cli", "--help"],
    "leerstad feedback export": ["-m", "leerstad.cli", "feedback", "export"],
}


def wall(code: Path, args: list[str], data_dir: Path) -> float:
    """Seconds for ``python ARGS`` in a fresh process with ``code`` first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERSTAD_")}
    env.update(PYTHONPATH=str(code), LEERSTAD_DATA_DIR=str(data_dir))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], env=env, cwd=code, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - started


def compare(baseline: Path, runs: int, commands: dict[str, list[str]]) -> dict[str, Any]:
    """Each command ``runs`` times with this code and ``baseline``'s, alternating (who goes
    first alternates too); medians in seconds and their ratio (new / baseline)."""
    result: dict[str, Any] = {
        "new_code": str(ROOT),
        "baseline_code": str(baseline),
        "runs": runs,
        "load_before": os.getloadavg(),
        "commands": {},
    }
    with tempfile.TemporaryDirectory() as data_dir:
        for name, args in commands.items():
            times: dict[str, list[float]] = {"new": [], "baseline": []}
            for n in range(runs):
                order = [("new", ROOT), ("baseline", baseline)]
                for which, code in order if n % 2 == 0 else order[::-1]:
                    times[which].append(round(wall(code, args, Path(data_dir)), 4))
            new, old = statistics.median(times["new"]), statistics.median(times["baseline"])
            result["commands"][name] = {
                "new_median_s": round(new, 4),
                "baseline_median_s": round(old, 4),
                "new_vs_baseline": round(new / old, 3),
                "new_runs_s": times["new"],
                "baseline_runs_s": times["baseline"],
            }
    result["load_after"] = os.getloadavg()
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.starts", description=__doc__)
    p.add_argument("--baseline", type=Path, required=True, help="map met een andere checkout")
    p.add_argument("--runs", type=int, default=9, help="zoveel keer per opdracht en per code")
    p.add_argument("--out", type=Path, help="schrijf het JSON-resultaat ook naar dit bestand")
    args = p.parse_args(argv)
    result = compare(args.baseline.resolve(), max(1, args.runs), COMMANDS)
    text = json.dumps(result, indent=2)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
