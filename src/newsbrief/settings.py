"""Settings: defaults in the shipped ``defaults.toml``; a user's TOML file and environment
variables override only the keys they set. A :class:`Settings` is built fresh per call and
never mutated."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from newsbrief.errors import ConfigError

ENV_PREFIX = "NEWSBRIEF_"
CONFIG_ENV = "NEWSBRIEF_CONFIG"


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    db: str
    spacy_model: str
    spacy_fallback: str
    max_input_bytes: int
    max_article_chars: int
    nlp_batch_size: int
    nlp_processes: int
    encoder: str
    encoder_threads: int
    user_agent: str
    fetch_connect_timeout: float
    fetch_read_timeout: float
    max_response_bytes: int
    max_redirects: int
    per_host_delay: float
    respect_robots: bool
    allow_private: bool
    keep_briefs: bool
    max_request_bytes: int

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (type-checked like a config file)."""
        return _build({**dataclasses.asdict(self), **changes}, origin="arguments")


def _defaults() -> dict[str, Any]:
    text = resources.files("newsbrief").joinpath("defaults.toml").read_text("utf-8")
    return tomllib.loads(text)


def _build(values: dict[str, Any], *, origin: str) -> Settings:
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)} in {origin}")
    typed = {
        name: _typed(name, value, _TYPES[str(fields[name].type)], origin)
        for name, value in values.items()
    }
    for name in _POSITIVE:
        if typed[name] <= 0:
            raise ConfigError(f"setting {name} must be > 0, found {typed[name]!r} ({origin})")
    for name in _NON_NEGATIVE:
        if typed[name] < 0:
            raise ConfigError(f"setting {name} must be >= 0, found {typed[name]} ({origin})")
    return Settings(**typed)


_TYPES: dict[str, type] = {"int": int, "float": float, "str": str, "bool": bool}
_POSITIVE = (
    "max_input_bytes",
    "max_article_chars",
    "nlp_batch_size",
    "max_response_bytes",
    "fetch_connect_timeout",
    "fetch_read_timeout",
    "max_request_bytes",
)
_NON_NEGATIVE = ("nlp_processes", "encoder_threads")  # 0 means one per available core
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _typed(name: str, value: Any, expected: type, origin: str) -> Any:
    """``value`` as the type the setting expects; environment variables arrive as strings."""
    if isinstance(value, str) and expected is not str:
        text = value.strip().lower().replace("_", "")
        try:
            if expected is bool:
                if text not in _TRUE | _FALSE:
                    raise ValueError(value)
                return text in _TRUE
            return expected(text)
        except ValueError as exc:
            raise ConfigError(
                f"setting {name} expects {_NAMES[expected]}, found {value!r} in {origin}"
            ) from exc
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
        raise ConfigError(
            f"setting {name} expects {_NAMES[expected]}, found {type(value).__name__} "
            f"{value!r} in {origin}"
        )
    return value


def load_settings(
    config: Path | None = None,
    env: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Defaults, then the config file (``config`` or $NEWSBRIEF_CONFIG), then environment
    variables (NEWSBRIEF_DB, NEWSBRIEF_SPACY_MODEL, …), then ``overrides`` that are not None."""
    env = dict(os.environ) if env is None else env
    values = _defaults()
    path = config or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text("utf-8")))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        _build(values, origin=str(path))  # reject unknown keys early, naming the file
    for name in values:
        key = ENV_PREFIX + name.upper()
        if key in env and key != CONFIG_ENV:
            values[name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return _build(values, origin="settings")
