"""`bench.starts`: both codes run every command, alternating; no timing is asserted."""

from __future__ import annotations

from pathlib import Path

from bench.starts import COMMANDS, compare

ROOT = Path(__file__).resolve().parents[1]


def test_each_command_runs_with_both_codes_and_reports_medians() -> None:
    commands = {"python": COMMANDS["python"], "leerstad --help": COMMANDS["leerstad --help"]}
    result = compare(ROOT, 2, commands)
    assert set(result["commands"]) == set(commands)
    for figures in result["commands"].values():
        assert len(figures["new_runs_s"]) == len(figures["baseline_runs_s"]) == 2
        assert figures["new_median_s"] > 0 and figures["new_vs_baseline"] > 0
    assert result["baseline_code"] == str(ROOT) and len(result["load_before"]) == 3
