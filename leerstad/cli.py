"""The `leerstad` command: one argparse tree for ingest, ask, eval, feedback and serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from leerstad.parser import EXIT_USAGE, Parser
from leerstad.text import from_argument

if TYPE_CHECKING:
    from assistant.settings import Settings

EXIT_OK = 0
EXIT_ERROR = 1  # the command ran and failed; the message says why and what to do
# EXIT_USAGE = 2: wrong arguments or settings (and for `eval`: bad input, see evals/README.md)
EXIT_BUG = 70  # an unexpected error: a bug to report (sysexits' EX_SOFTWARE)
EXIT_INTERRUPTED = 130
EPILOG = """Exitcodes: 0 gelukt; 1 mislukt (de melding zegt waarom); 2 verkeerde argumenten of
instellingen (LEERSTAD_*); 70 onverwachte fout (meld het); 130 afgebroken.
`leerstad eval` heeft eigen codes: 0 geslaagd, 1 drempel niet gehaald, 2 fout in invoer."""


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="leerstad",
        description="Vraag-en-antwoord over UNESCO Learning Cities en Integrale Kindcentra.",
        epilog=EPILOG,
    )
    sub = parser.add_subparsers(
        dest="command", required=True, title="opdrachten", metavar="OPDRACHT"
    )

    ingest = sub.add_parser("ingest", help="documenten indexeren (standaard: corpus/)")
    ingest.add_argument("paths", nargs="*", type=Path, help="bestanden of mappen")
    ingest.add_argument("--rebuild", action="store_true", help="de index helemaal opnieuw bouwen")
    ingest.add_argument("--if-missing", action="store_true", help="alleen als er nog geen index is")
    ingest.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")

    ask = sub.add_parser("ask", help="een vraag stellen")
    ask.add_argument("question", metavar="VRAAG", help="de vraag, tussen aanhalingstekens")
    ask.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="VORIGE_VRAAG",
        help="een eerdere vraag in het gesprek (herhaalbaar, oudste eerst)",
    )
    ask.add_argument("--json", action="store_true", help="antwoord als JSON")

    sub.add_parser(
        "eval", help="een evaluatieset draaien (zie evals/README.md)", configure=_eval_arguments
    )
    _feedback_arguments(sub.add_parser("feedback", help="feedback exporteren of wissen"))

    sub.add_parser(
        "bench", help="de prestatiemeting (zie docs/benchmarks.md)", configure=_bench_arguments
    )

    serve = sub.add_parser("serve", help="de webapp starten")
    serve.add_argument("--host", help="adres om op te luisteren (standaard LEERSTAD_HOST)")
    serve.add_argument(
        "--port", type=_port, help="poort om op te luisteren (standaard LEERSTAD_PORT)"
    )
    return parser


def _feedback_arguments(feedback: argparse.ArgumentParser) -> None:
    actions = feedback.add_subparsers(
        dest="feedback_command", required=True, title="opdrachten", metavar="OPDRACHT"
    )
    export = actions.add_parser(
        "export", help="negatieve feedback als concept-evalvragen (JSON-regels)"
    )
    export.add_argument("--out", type=Path, help="naar dit bestand in plaats van stdout")
    purge = actions.add_parser("purge", help="oude feedback wissen")
    purge.add_argument(
        "--older-than",
        type=_days,
        metavar="DAGEN",
        help="wis feedback ouder dan DAGEN dagen (0: alles); standaard de bewaartermijn "
        "LEERSTAD_FEEDBACK_RETENTION_DAYS",
    )


def _bench_arguments(parser: argparse.ArgumentParser) -> None:
    from bench.cli import add_arguments  # imports the benchmark: only when `bench` is used

    add_arguments(parser)


def _eval_arguments(parser: argparse.ArgumentParser) -> None:
    from evals.cli import add_arguments  # imports the eval suite: only when `eval` is used

    add_arguments(parser)


def _days(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is geen aantal dagen; geef 0 of meer.")
    return int(text)


def _port(text: str) -> int:
    from assistant.settings import Settings, allowed

    try:
        return Settings(port=int(text)).port  # the allowed range is defined once, in Settings
    except ValueError:  # not a number, or pydantic's ValidationError (a ValueError)
        raise argparse.ArgumentTypeError(
            f"{text!r} is geen poort; toegestaan: {allowed('port')}."
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``leerstad`` with ``argv`` (default: the command line); return the exit code."""
    _tolerant_output()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or a usage error (2, message already printed)
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    from assistant.errors import ConfigError, LeerstadError

    try:
        settings = _settings()
        logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
        return _dispatch(args, settings)
    except ConfigError as e:
        print(f"Fout: {e}", file=sys.stderr)
        return EXIT_USAGE
    except LeerstadError as e:
        print(f"Fout: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # a bug: say so in Dutch; the traceback only with LEERSTAD_LOG_LEVEL
        logging.getLogger("leerstad.cli").debug("unexpected error", exc_info=True)
        print(
            f"Fout: er ging iets onverwachts mis ({type(e).__name__}). Dit is een fout in "
            "Leerstad: meld het, met de uitvoer van dezelfde opdracht met "
            "LEERSTAD_LOG_LEVEL=DEBUG.",
            file=sys.stderr,
        )
        return EXIT_BUG


def _tolerant_output() -> None:
    # A terminal that cannot show a character (e.g. Latin-1) gets '?' instead of a crash.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _settings() -> Settings:
    """Settings from the environment; a warning for each unknown LEERSTAD_* variable."""
    from assistant.settings import Settings, UnknownSettingWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnknownSettingWarning)
        try:
            return Settings.from_env()
        finally:  # the warnings also when a setting is invalid: a typo may explain it
            for warning in caught:
                print(f"Waarschuwing: {warning.message}", file=sys.stderr)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "ingest":
        return _ingest(args, settings)
    if args.command == "ask":
        return _ask(args, settings)
    if args.command == "eval":
        from evals.cli import run

        return run(args, settings)
    if args.command == "feedback":
        return _feedback(args, settings)
    if args.command == "bench":
        from bench.cli import run_args

        return run_args(args)
    if args.command == "serve":
        return _serve(args, settings)
    raise AssertionError(f"unhandled command {args.command}")  # argparse allows no other


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.errors import LeerstadError
    from assistant.store import open_client, read_state
    from ingest import enrich, ingest_paths

    if args.if_missing:
        state = read_state(open_client(settings), settings.collection)
        if state is not None and state.documents:
            print(f"Index bestaat al ({len(state.documents)} documenten); niets te doen.")
            return EXIT_OK
    paths = args.paths or [settings.corpus_dir]
    summary = ingest_paths(paths, settings, rebuild=args.rebuild, progress=not args.quiet)
    for _path, reason in summary.skipped:
        print(f"Overgeslagen: {reason}", file=sys.stderr)
    print(summary.line(), flush=True)
    if settings.sentence_vectors == "after":
        print(
            "De index is klaar voor gebruik. Nu worden de zinnen van de stukken voorbereid, "
            "voor snellere antwoorden; onderbreken mag: dezelfde opdracht gaat verder waar "
            "deze stopte.",
            flush=True,
        )
        try:
            print(enrich(settings, progress=not args.quiet).line())
        except KeyboardInterrupt:
            print(f"Voorbereiden afgebroken. {_UNPREPARED}", file=sys.stderr)
            return EXIT_INTERRUPTED
        except LeerstadError as e:
            print(f"Fout bij het voorbereiden van de zinnen: {e}\n{_UNPREPARED}", file=sys.stderr)
            return EXIT_ERROR
    return EXIT_OK


_UNPREPARED = (
    "De index zelf is klaar en in gebruik; antwoorden berekenen wat nog niet is voorbereid "
    "zelf (niet sneller dan zonder voorbereiding). Voer dezelfde opdracht nog eens uit om "
    "verder te gaan."
)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import Assistant

    question = _argument(args.question, "uw vraag")
    history = [_argument(turn, "een eerdere vraag (--history)") for turn in args.history]
    if not question.strip():
        print("Fout: de vraag is leeg. Geef een vraag tussen aanhalingstekens.", file=sys.stderr)
        return EXIT_USAGE
    assistant = Assistant(settings)
    if args.json:
        answer = assistant.answer(question, history)
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    shown = ""
    answer = None
    for answer in assistant.stream(question, history):
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
            where = f"{s.title}, {s.section}" if s.section and s.section != s.title else s.title
            print(f"[{s.n}] {where}" + (f" <{s.url}>" if s.url else ""))
            print(f'    "{s.quote or s.text}"')
    return EXIT_OK


def _argument(text: str, what: str) -> str:
    """A command-line text made valid; what was changed is said on stderr."""
    cleaned, notice = from_argument(text, what)
    if notice:
        print(f"Let op: {notice}", file=sys.stderr)
    return cleaned


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.feedback import FeedbackStore

    store = FeedbackStore.from_settings(settings)
    if args.feedback_command == "purge":
        days = settings.feedback_retention_days if args.older_than is None else args.older_than
        count = store.purge(days)
        print(f"{count} beoordeling(en) ouder dan {days} dagen gewist uit {store.path}.")
        return EXIT_OK
    cases = store.negative_cases()
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    if args.out is None:
        sys.stdout.write(lines)
    else:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(lines, encoding="utf-8")
        except OSError as e:
            print(f"Fout: kan {args.out} niet schrijven ({e.strerror}).", file=sys.stderr)
            return EXIT_ERROR
    where = f" naar {args.out}" if args.out else ""
    print(
        f"{len(cases)} negatieve beoordeling(en) geëxporteerd{where}; "
        "vul expected_sources en expected_facts aan voordat je ze als eval gebruikt.",
        file=sys.stderr,
    )
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.feedback import FeedbackStore
    from web.server import serve  # the web app and its heavy imports: only for `serve`

    expired = FeedbackStore.from_settings(settings).expire()
    if expired:
        print(f"{expired} beoordeling(en) ouder dan de bewaartermijn gewist.", file=sys.stderr)
    host = settings.host if args.host is None else args.host
    port = settings.port if args.port is None else args.port
    return serve(settings, host, port)


if __name__ == "__main__":
    sys.exit(main())
