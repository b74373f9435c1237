"""`python -m bench` (and `leerstad bench`): run the benchmark, print a summary or JSON."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.corpora import SIZES
from bench.run import ENCODERS, ROOT, Options, run


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="leerstad bench",
        description="Meet inlezen, antwoorden, koude start en geheugen bij 1k/10k/100k stukken, "
        "naast de naïeve LangChain-pijplijn.",
    )
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``leerstad bench``'s arguments on ``p``."""
    p.add_argument("--quick", action="store_true", help="alleen 1k stukken (< 2 minuten)")
    p.add_argument("--json", action="store_true", help="print één JSON-object")
    p.add_argument("--sizes", help=f"kommalijst uit {', '.join(SIZES)} (standaard 1k,10k,100k)")
    p.add_argument("--encoders", help=f"kommalijst (standaard {','.join(ENCODERS)}); leeg: geen")
    p.add_argument(
        "--chroma",
        default="persistent",
        help="'persistent', een adres (http://host:poort) of 'server' (start zelf chroma run)",
    )
    p.add_argument("--work", type=Path, default=ROOT / "runs" / "bench", help="werkmap")
    p.add_argument(
        "--shared", type=Path, default=ROOT.parent / "shared", help="map met corpus-extra"
    )
    p.add_argument(
        "--shared-cache-from",
        type=int,
        default=50_000,
        help="vanaf zoveel stukken de gedeelde embedding-cache gebruiken (daaronder koud)",
    )
    p.add_argument(
        "--naive-max",
        type=int,
        default=20_000,
        help="de naïeve pijplijn alleen tot zoveel stukken (MiniLM is traag)",
    )
    p.add_argument(
        "--ingest-only", action="store_true", help="alleen inlezen naast de encoder meten"
    )
    p.add_argument(
        "--baseline",
        type=Path,
        help="map met een andere checkout: ook diens inlezen (koude cache) en antwoorden meten, "
        "in dezelfde run ernaast",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="zoveel keer inlezen per grootte, afwisselend met --baseline; de mediaan telt",
    )
    p.add_argument(
        "--answer-rounds",
        type=int,
        default=0,
        help="met --baseline: zoveel keer de antwoorden van beide code, afwisselend "
        "(standaard: --repeat)",
    )
    p.add_argument("--out", type=Path, help="schrijf het JSON-resultaat ook naar dit bestand")


def options(args: argparse.Namespace) -> Options:
    sizes = ["1k"] if args.quick else ["1k", "10k", "100k"]
    if args.sizes:
        sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"Onbekende grootte {', '.join(unknown)}; kies uit {', '.join(SIZES)}.")
    encoders = list(ENCODERS)
    if args.encoders is not None:
        encoders = [e.strip() for e in args.encoders.split(",") if e.strip()]
    return Options(
        work=args.work,
        shared=args.shared,
        sizes=sizes,
        encoders=encoders,
        chroma=args.chroma,
        encode_sample=500 if args.quick else 2000,
        encoder_sample=200 if args.quick else 300,
        reuse_cache_from=args.shared_cache_from,
        naive_max_chunks=args.naive_max,
        ingest_only=args.ingest_only,
        baseline=args.baseline.resolve() if args.baseline else None,
        repeat=max(1, args.repeat),
        answer_rounds=max(0, args.answer_rounds),
    )


@contextmanager
def chroma_server(folder: Path) -> Iterator[str]:
    """A `chroma run` on a free port for the HTTP variant of the benchmark."""
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [str(chroma), "run", "--path", str(folder / "db"), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


def summary(result: dict[str, object]) -> str:
    lines = [f"model {result['embedding_model']}, chroma {result['chroma']}"]
    for size in result["sizes"]:  # type: ignore[attr-defined]
        line = (
            f"{size['size']:>5}: {size['chunks']} stukken; inlezen {size['ingest_chunks_per_s']}/s "
            f"(encoder {size['raw_encode_chunks_per_s']}/s, {size['ingest_vs_raw_encode']:.0%})"
        )
        if "enrich_s" in size:
            line += (
                f"; zinnen voorbereid in {size['enrich_s']} s "
                f"(samen {size['enriched_vs_raw_encode']:.0%})"
            )
        if "baseline_ingest_chunks_per_s" in size:
            line += (
                f"; basislijn {size['baseline_ingest_chunks_per_s']}/s "
                f"({size['baseline_ingest_vs_raw_encode']:.0%})"
            )
        if "answer_p50_ms" in size:
            line += (
                f"; opnieuw {size['reingest_unchanged_s']:.1f} s; zoeken p50 "
                f"{size['retrieval_p50_ms']} ms; antwoord p50 {size['answer_p50_ms']} ms "
                f"(naïef {size.get('naive_p50_ms')}); bewijs {size['evidence_recall']} "
                f"(naïef {size.get('naive_evidence_recall')}); koude start "
                f"{size['cold_start_s']} s; piek {size['peak_rss_mb']} MB"
            )
        if "before_enrichment" in size:
            line += f"; antwoord p50 vóór de zinnen {size['before_enrichment']['answer_p50_ms']} ms"
        lines.append(line)
    for enc in result["encoders"]:  # type: ignore[attr-defined]
        lines.append(
            f"{enc['model']}: encoder {enc['raw_encode_chunks_per_s']}/s, bewijs "
            f"{enc['evidence_recall']}, antwoord p50 {enc['answer_p50_ms']} ms"
        )
    lines.append(f"klaar in {result['seconds']} s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    return run_args(parser().parse_args(argv))


def run_args(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed arguments; print the summary (or the JSON)."""
    opts = options(args)
    if args.chroma == "server":
        with chroma_server(opts.work / "chroma-server") as url:
            opts.chroma = url
            result = run(opts)
    else:
        result = run(opts)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else summary(result))
    return 0
