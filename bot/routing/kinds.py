"""Kinds of work from the text: issues no rule matches are told apart by what their words predict. Pure.

An online logistic model over hashed word unigrams and bigrams of the title, body, labels and changed paths
(CRC-32 into 2^20 buckets: deterministic across processes, no vocabulary to keep) learns, from every recorded
Haiku attempt, how likely Haiku is to resolve an issue with these words. An issue that matches no pattern rule
gets a kind by that prediction — `~easy`, `~mid` or `~hard` before its labels — so the ladder objective learns
one ladder per predicted difficulty instead of one for everything unmatched. The model speaks only once it
has learned from MIN_TRAINED attempts and has predicted them (each before learning from it) better than the
running success rate by GAIN in log-loss: words that tell nothing only split the record; then the rules'
kind stands. No library: a dict of weights and a few
lines of SGD load in microseconds on the Action's cold start, where scikit-learn would take a second.
"""

from __future__ import annotations

import base64
import math
import re
import sys
import zlib
from array import array
from functools import lru_cache

from bot.models import IssueInput
from bot.routing.normalize import normalize

BUCKETS = 1 << 20  # hashed feature space
RATE = 0.2  # SGD step
MIN_TRAINED = 30  # haiku attempts learned before the model names a kind
GAIN = 0.03  # the share of log-loss the words must save over the running success rate
EASY, HARD = 0.8, 0.5  # predicted haiku success at or above EASY is `~easy`, below HARD `~hard`
_WORD = re.compile(r"[a-z0-9]+")
MAX_CHARS = 4000  # of the body: enough words to tell work apart, bounded cost
MAX_FEATURES = 6000  # what a GitHub issue can hash to (title ≤ 256 + body ≤ MAX_CHARS: ≤ 2 per word; labels, paths)


def features(issue: IssueInput) -> tuple[int, ...]:
    """Hashed unigrams and bigrams of the issue's words, its labels and changed paths (sorted, unique)."""
    return _features(issue.title, issue.body[:MAX_CHARS], tuple(issue.labels), tuple(issue.changed_paths))


@lru_cache(maxsize=64)  # the replay hashes an issue for learning and the router again for its kind
def _features(title: str, body: str, labels: tuple[str, ...], paths: tuple[str, ...]) -> tuple[int, ...]:
    words = _WORD.findall(normalize(f"{title}\n{body}").lower())
    tokens = [*words, *(f"{a} {b}" for a, b in zip(words, words[1:])),
              *(f"label:{x.lower()}" for x in labels), *(f"path:{p.lower()}" for p in paths)]
    return tuple(sorted({zlib.crc32(t.encode()) % BUCKETS for t in tokens}))


def pack(feats: tuple[int, ...]) -> str | None:
    """Hashed features as stored with a routing record: little-endian uint32s in base64 (~5.3 characters a feature;
    None when there are none or too many), decoded at C speed when the store's history loads (zlib'd gaps were
    20 % smaller and 3.5× slower to read). Hashes, not text: no word can be read back, only a guessed one tested."""
    if not feats or len(feats) > MAX_FEATURES:
        return None
    values = array("I", feats)
    if sys.byteorder == "big":
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def unpack(text: object) -> tuple[int, ...] | None:
    """`pack`'s features again; None for anything that is not a packing of features in range."""
    if not isinstance(text, str) or not text or len(text) > 6 * MAX_FEATURES:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    if not raw or len(raw) % 4:
        return None
    values = array("I")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return tuple(values) if max(values) < BUCKETS else None


class TextModel:
    """P(haiku resolves | the issue's words), learned online from haiku attempts in the order they come."""

    def __init__(self) -> None:
        self.weights: dict[int, float] = {}
        self.bias = 0.0
        self.trained = 0
        self.successes = 0
        self.loss = self.base_loss = 0.0  # prequential log-loss: the model's and the running rate's

    def predict(self, feats: tuple[int, ...]) -> float:
        w = self.weights
        z = self.bias + sum(w.get(f, 0.0) for f in feats) / math.sqrt(len(feats) or 1)
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def learn(self, feats: tuple[int, ...], success: bool) -> None:
        p = self.predict(feats)
        base = (self.successes + 1) / (self.trained + 2)
        self.loss -= math.log(max(1e-9, p if success else 1 - p))
        self.base_loss -= math.log(base if success else 1 - base)
        self.successes += success
        step = RATE * (float(success) - p)
        self.bias += step
        scaled = step / math.sqrt(len(feats) or 1)
        for f in feats:
            self.weights[f] = self.weights.get(f, 0.0) + scaled
        self.trained += 1

    def telling(self) -> bool:
        """Enough attempts, and the words predicted them better than the success rate alone."""
        return self.trained >= MIN_TRAINED and self.loss < (1 - GAIN) * self.base_loss

    def bucket(self, feats: tuple[int, ...]) -> str | None:
        """`easy`, `mid` or `hard`; None until MIN_TRAINED attempts are behind the model."""
        if not self.telling():
            return None
        p = self.predict(feats)
        return "easy" if p >= EASY else "hard" if p < HARD else "mid"


def text_kind(kind: str, issue: IssueInput, model: TextModel | None, notes: list[str] | None = None) -> str:
    """The rules' kind, or for an issue no rule matched, the predicted difficulty before its labels (said in
    `notes`, for the rationale)."""
    if model is None or not model.telling() or (kind and not kind.startswith("|")):
        return kind
    feats = features(issue)
    bucket = model.bucket(feats)
    if bucket is None:
        return kind
    if notes is not None:
        notes.append(f"no rule matched; the issue's words put it with `~{bucket}` work (haiku resolves "
                     f"{model.predict(feats):.0%} of such issues, by a text model learned from {model.trained} "
                     "haiku attempts)")
    return f"~{bucket}{kind}"
