"""``leerstad eval``: run a dataset and report, gate CI on thresholds, or compare two runs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings
from evals.errors import EvalError

if TYPE_CHECKING:
    from evals.baseline import BaselineRun
    from evals.gate import Threshold
    from evals.metrics import Case

EXPORTS = ("ragas",)
EPILOG = """Vergelijk twee runs met: leerstad eval compare RUN_A RUN_B [--out DIR]
Scoor een bestaande run opnieuw: leerstad eval report RUN [--fail-under ...] [--fail-over ...]

Metrieken (voor --fail-under en --fail-over): zie evals/README.md.
Exitcodes: 0 geslaagd, 1 drempel niet gehaald, 2 fout in invoer of configuratie."""


def run_parser(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    # --dataset and --out are checked in run(): the subcommands report and compare lack them.
    p.description = "Beantwoord alle vragen van een dataset en meet de kwaliteit."
    p.epilog = EPILOG
    p.add_argument("--dataset", type=Path, help="JSONL-bestand met vragen (verplicht)")
    p.add_argument("--out", type=Path, help="map voor resultaten en rapport (verplicht)")
    p.add_argument(
        "--extra-corpus",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="extra documenten (afleiders); gebruikt een tijdelijke index, "
        "de eigen index blijft onaangeroerd (herhaalbaar)",
    )
    gate_arguments(p)
    p.add_argument(
        "--judge",
        action="store_true",
        help="laat een taalmodel (LEERSTAD_JUDGE_LLM, anders LEERSTAD_LLM) beoordelen of de "
        "antwoorden door de bronnen gedekt zijn: metriek faithfulness_llm",
    )
    p.add_argument(
        "--baseline",
        action="append",
        default=[],
        metavar="NAAM[,NAAM]",
        help="zet het naïeve LangChain-recept ernaast (chunks van 1000/200 tekens, dichte top-4) "
        "op dezelfde documenten en vragen: naive (MiniLM), naive-use (meertalig; herhaalbaar)",
    )
    p.add_argument("--no-progress", action="store_true", help="geen voortgangsbalk")
    return p


def compare_parser(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.description = "Vergelijk run B met run A, gepaard per vraag-id."
    p.add_argument("run_a", type=Path, metavar="RUN_A", help="map van de eerste run (basis)")
    p.add_argument("run_b", type=Path, metavar="RUN_B", help="map van de tweede run")
    p.add_argument("--out", type=Path, help="map voor compare.md (standaard: RUN_B)")
    return p


def gate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--fail-under",
        action="append",
        default=[],
        metavar="NAAM=WAARDE,...",
        help="exit 1 als een metriek (hoger is beter) lager uitvalt",
    )
    p.add_argument(
        "--fail-over",
        action="append",
        default=[],
        metavar="NAAM=WAARDE,...",
        help="exit 1 als een metriek (lager is beter) hoger uitvalt, "
        "bijv. forbidden_rate=0,false_abstentions=1",
    )
    p.add_argument(
        "--export",
        action="append",
        default=[],
        choices=EXPORTS,
        help="schrijf ook ragas.jsonl (RAGAS EvaluationDataset, single-turn)",
    )


def report_parser(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.description = (
        "Scoor de resultaten van een bestaande run opnieuw (zonder de assistent) "
        "en schrijf summary.json en de rapporten opnieuw."
    )
    p.add_argument("run", type=Path, metavar="RUN", help="map van een eerdere run")
    gate_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``leerstad eval``'s arguments on ``p``, with its subcommands ``report`` and ``compare``."""
    run_parser(p)
    from evals.fit import fit_parser

    commands = p.add_subparsers(dest="eval_command", metavar="{report,compare,fit}")
    report_parser(commands.add_parser("report", help="een bestaande run opnieuw scoren"))
    compare_parser(commands.add_parser("compare", help="twee runs vergelijken"))
    fit_parser(commands.add_parser("fit", help="het antwoordmodel aanpassen op dev-sets"))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``leerstad eval``; returns the exit code (0 ok, 1 gate failed, 2 error)."""
    parser = argparse.ArgumentParser(
        prog="leerstad eval", formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return e.code if isinstance(e.code, int) else 2
    return run(args)


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run parsed ``leerstad eval`` arguments; returns 0 ok, 1 gate failed, 2 error."""
    from rich.console import Console

    from assistant.errors import LeerstadError

    console, errors = Console(), Console(stderr=True)
    try:
        if args.eval_command == "compare":
            return _compare(args, console)
        if args.eval_command == "report":
            return _rescore(args, console)
        if args.eval_command == "fit":
            from evals.fit import fit

            return fit(args, settings or Settings.from_env())
        if args.dataset is None or args.out is None:
            raise EvalError(
                "--dataset en --out zijn verplicht om een dataset te draaien (of gebruik "
                "'leerstad eval report RUN' of 'leerstad eval compare RUN_A RUN_B')."
            )
        return _run(args, console, settings)
    except (EvalError, LeerstadError) as e:
        errors.print(f"[bold red]Fout:[/] {e}", highlight=False)
        return 2


def _thresholds(args: argparse.Namespace) -> list[Threshold]:
    from evals.gate import parse_thresholds

    return parse_thresholds(args.fail_under, upper=False) + parse_thresholds(
        args.fail_over, upper=True
    )


def _run(args: argparse.Namespace, console: Any, settings: Settings | None = None) -> int:
    from assistant.settings import Settings
    from evals.baseline import parse_names, run_baselines, write_baselines
    from evals.dataset import file_sha256, load_dataset
    from evals.run import answer_all, eval_settings, judge_all, judge_metadata, run_metadata

    # Validate everything cheap before the slow part.
    thresholds = _thresholds(args)
    baseline_names = parse_names(args.baseline)
    examples = load_dataset(args.dataset)
    for extra in args.extra_corpus:
        if not extra.is_dir():
            raise EvalError(
                f"--extra-corpus {extra}: dit is geen map. Geef een map met documenten op."
            )
    settings = settings or Settings.from_env()
    progress = not args.no_progress
    judge = None
    if args.judge:
        from evals.judge import build_judge

        judge = build_judge(settings)  # fails on a missing LLM before any question is asked

    started = time.perf_counter()
    with eval_settings(settings, args.extra_corpus, progress) as used:
        cases, answers = answer_all(examples, used, progress)
        metadata = run_metadata(
            used, cases, answers, args.dataset, file_sha256(args.dataset), args.extra_corpus
        )
        index = metadata["corpus"]["index"]
        baselines = run_baselines(baseline_names, examples, index, used, progress)
    if judge is not None:
        cases = judge_all(judge, cases, progress)
        metadata["judge"] = judge_metadata(settings)
    write_baselines(args.out, baselines)
    return _finish(
        args.out, metadata, cases, answers, thresholds, args.export, console, started, baselines
    )


def _rescore(args: argparse.Namespace, console: Any) -> int:
    from evals.baseline import load_baselines
    from evals.runfiles import load_run

    thresholds = _thresholds(args)
    run = load_run(args.run)
    baselines = load_baselines(args.run, run.cases, run.summary)
    metadata = run.summary.get("metadata", {})
    return _finish(
        args.run,
        metadata,
        run.cases,
        run.answer_fields(),
        thresholds,
        args.export,
        console,
        time.perf_counter(),
        baselines,
    )


def _finish(
    out: Path,
    metadata: dict[str, Any],
    cases: list[Case],
    answers: list[dict[str, Any]],
    thresholds: list[Threshold],
    exports: list[str],
    console: Any,
    started: float,
    baselines: dict[str, BaselineRun] | None = None,
) -> int:
    """Score, write the run directory, print the summary and apply the gate."""
    from evals import curve, report, versus
    from evals.gate import check
    from evals.runfiles import write_run
    from evals.scoring import summarise

    summary = {"metadata": metadata, **summarise(cases)}
    summary.update(curve.tradeoff(cases, [a.get("confidence") for a in answers]))
    if baselines:
        summary["baseline"] = versus.summarise(cases, baselines)
    failures = check(thresholds, summary["metrics"])
    summary["gate"] = {"thresholds": [t.describe() for t in thresholds], "failures": failures}
    rows = write_run(out, summary, cases, answers, exports)

    report.print_summary(summary, console)
    metrics = summary["metrics"]
    headline = ["fact_recall", "abstain_f1"]
    if metrics["faithfulness_llm"]["value"] is not None:
        headline.append("faithfulness_llm")
    values = ", ".join(f"{name} {report.fmt(name, metrics[name]['value'])}" for name in headline)
    console.print(
        f"{len(cases)} vragen in {time.perf_counter() - started:.1f} s; {values}, "
        f"{len(report.failures(rows))} mislukt; rapport: {out / 'report.html'}",
        highlight=False,
    )
    if failures:
        console.print("[bold red]CI-drempel niet gehaald:[/]")
        for failure in failures:
            console.print(f"  - {failure}", highlight=False)
        return 1
    if thresholds:
        console.print("[green]Alle drempels gehaald.[/]")
    return 0


def _compare(args: argparse.Namespace, console: Any) -> int:
    from evals.compare import compare, print_comparison, write_markdown
    from evals.runfiles import load_run

    comparison = compare(load_run(args.run_a), load_run(args.run_b))
    out: Path = args.out or args.run_b
    out.mkdir(parents=True, exist_ok=True)
    write_markdown(out / "compare.md", comparison)
    print_comparison(comparison, console)
    console.print(f"Vergelijking geschreven naar {out / 'compare.md'}", highlight=False)
    return 0
