"""The `leerstad` command: one entry point that dispatches to ingest, assistant and evals."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_ERROR = 1
EXIT_USAGE = 2
FORWARDED = ("eval", "serve", "feedback")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leerstad",
        description="Vraag-en-antwoord over UNESCO Learning Cities en Integrale Kindcentra.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="documenten indexeren (standaard: corpus/)")
    ingest.add_argument("paths", nargs="*", type=Path, help="bestanden of mappen")
    ingest.add_argument("--rebuild", action="store_true", help="de index helemaal opnieuw bouwen")
    ingest.add_argument("--if-missing", action="store_true", help="alleen als er nog geen index is")
    ingest.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")

    ask = sub.add_parser("ask", help="een vraag stellen")
    ask.add_argument("question")
    ask.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="VORIGE_VRAAG",
        help="een eerdere vraag in het gesprek (herhaalbaar, oudste eerst)",
    )
    ask.add_argument("--json", action="store_true", help="antwoord als JSON")

    for name, text in (
        ("eval", "de evaluatieset draaien (zie evals/README.md)"),
        ("serve", "de webapp starten"),
        ("feedback", "feedback exporteren"),
    ):
        sub.add_parser(name, help=text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.errors import LeerstadError
    from assistant.settings import Settings

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in FORWARDED:
        # These subcommands own their arguments; argparse would reject their options here.
        args = argparse.Namespace(command=argv[0], rest=argv[1:])
    else:
        args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(
            level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
        )
        if args.command == "ingest":
            return _ingest(args, settings)
        if args.command == "ask":
            return _ask(args, settings)
        if args.command == "eval":
            from evals.cli import main as eval_main

            return eval_main(args.rest)
        if args.command == "feedback":
            from assistant.feedback import main as feedback_main

            return feedback_main(args.rest)
        if args.command == "serve":
            return _serve(args.rest)
    except LeerstadError as e:
        print(f"Fout: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return 130
    return EXIT_USAGE


def _ingest(args: argparse.Namespace, settings: object) -> int:
    from assistant.settings import Settings
    from assistant.store import open_client, read_state
    from ingest import ingest_paths

    assert isinstance(settings, Settings)
    if args.if_missing:
        state = read_state(open_client(settings), settings.collection)
        if state is not None and state.documents:
            print(f"Index bestaat al ({len(state.documents)} documenten); niets te doen.")
            return 0
    paths = args.paths or [settings.corpus_dir]
    summary = ingest_paths(paths, settings, rebuild=args.rebuild, progress=not args.quiet)
    for _path, reason in summary.skipped:
        print(f"Overgeslagen: {reason}", file=sys.stderr)
    print(summary.line())
    return 0


def _ask(args: argparse.Namespace, settings: object) -> int:
    from assistant import Assistant
    from assistant.settings import Settings

    assert isinstance(settings, Settings)
    assistant = Assistant(settings)
    if args.json:
        answer = assistant.answer(args.question, args.history)
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return 0
    shown = ""
    answer = None
    for answer in assistant.stream(args.question, args.history):
        if answer.text.startswith(shown):
            sys.stdout.write(answer.text[len(shown) :])
        else:  # the backend replaced its text (e.g. a checked or fallback answer)
            sys.stdout.write("\n" + answer.text)
        shown = answer.text
        sys.stdout.flush()
    print()
    assert answer is not None
    for notice in answer.notices:
        print(f"\nLet op: {notice}")
    if answer.sources:
        print("\nBronnen:")
        for s in answer.sources:
            where = " - ".join(x for x in (s.title, s.section) if x and x != s.title) or s.title
            if s.section and s.section != s.title:
                where = f"{s.title}, {s.section}"
            print(f"[{s.n}] {where}" + (f" <{s.url}>" if s.url else ""))
            print(f'    "{s.quote or s.text}"')
    return 0


def _serve(rest: list[str]) -> int:
    import runpy

    app = Path(__file__).resolve().parent.parent / "app.py"
    if not app.exists():
        print(f"Fout: {app} ontbreekt; start de app vanuit de projectmap.", file=sys.stderr)
        return EXIT_ERROR
    sys.argv = [str(app), *rest]
    runpy.run_path(str(app), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
