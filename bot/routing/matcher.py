"""Whole-word, case-insensitive matching of pattern rules, compiled once per config."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bot.config import PatternRule, RepoConfig

_TOKEN = re.compile(r"\w+")
# ASCII fast path, same tokens as _TOKEN: every non-word byte becomes a space (bytes.translate is ~4x faster).
_NON_WORD = bytes(b for b in range(128) if not (chr(b).isalnum() or chr(b) == "_"))
_ASCII_SPLIT = bytes.maketrans(_NON_WORD, b" " * len(_NON_WORD))
# ... and the same table lower-cases A-Z, so ASCII text needs no str.lower() first.
_ASCII_SPLIT_LOWER = _ASCII_SPLIT.translate(bytes.maketrans(bytes(range(65, 91)), bytes(range(97, 123))))


@dataclass(frozen=True)
class PatternHit:
    rule: PatternRule
    words: tuple[str, ...]  # the rule's words or phrases found in the text

    # Rendered once per (cached) hit: the router quotes them in every rationale and trace.
    @cached_property
    def quoted(self) -> str:
        return ", ".join(repr(w) for w in self.words)

    @cached_property
    def because(self) -> str:
        """`'word' (rule name → tier)` for the rationale."""
        tier = self.rule.tier
        return f"{self.quoted} (rule {self.rule.name}" + (f" → {tier.value})" if tier else ")")


class Matcher:
    """Text and rule words are split into the same word tokens, so `format` never fires on `information`
    and a phrase matches across any whitespace or punctuation between its words."""

    def __init__(self, rules: list[PatternRule]) -> None:
        self.rules = rules
        self._single: dict[str, list[tuple[int, str]]] = {}
        self._phrases: dict[str, list[tuple[str, int, str]]] = {}  # first word → (" a b ", rule, word)
        for index, rule in enumerate(rules):
            for word in rule.words:
                tokens = tuple(_TOKEN.findall(word.lower()))
                if len(tokens) == 1:
                    self._single.setdefault(tokens[0], []).append((index, word))
                elif tokens:
                    self._phrases.setdefault(tokens[0], []).append((f" {' '.join(tokens)} ", index, word))
        self._single_keys = frozenset(self._single)
        self._phrase_keys = frozenset(self._phrases)
        ascii_words = [w for w in self._single_keys | self._phrase_keys if w.isascii()]
        self._ascii_single = {w.encode(): self._single[w] for w in ascii_words if w in self._single}
        self._ascii_phrases = {w.encode(): [(p.encode(), i, word) for p, i, word in self._phrases[w] if p.isascii()]
                               for w in ascii_words if w in self._phrases}
        self._ascii_single_keys = frozenset(self._ascii_single)
        self._ascii_phrase_keys = frozenset(self._ascii_phrases)
        self._hits: dict[tuple[Any, ...], PatternHit] = {}

    def match(self, text: str) -> list[PatternHit]:
        tokens: list[Any]
        if text.isascii():
            tokens = text.encode().translate(_ASCII_SPLIT_LOWER).split()
            single, phrases, space = self._ascii_single, self._ascii_phrases, b" "
            single_keys, phrase_keys = self._ascii_single_keys, self._ascii_phrase_keys
        else:
            tokens = _TOKEN.findall(text.lower())
            single, phrases, space = self._single, self._phrases, " "  # type: ignore[assignment]
            single_keys, phrase_keys = self._single_keys, self._phrase_keys
        hits: dict[int, set[str]] = {}
        for token in single_keys.intersection(tokens):  # cheaper than set(tokens) & ... for two lookups
            for index, word in single[token]:
                hits.setdefault(index, set()).add(word)
        starts = phrase_keys.intersection(tokens)
        if starts:
            joined = space + space.join(tokens) + space
            for token in starts:
                for phrase, index, word in phrases[token]:
                    if phrase in joined:
                        hits.setdefault(index, set()).add(word)
        return [self._hit(i, words) for i, words in sorted(hits.items())]

    def _hit(self, index: int, words: set[str]) -> PatternHit:
        """Hits are immutable and few distinct ones recur, so they are made once (a frozen dataclass
        costs about a microsecond to build)."""
        key = (index, *sorted(words))
        hit = self._hits.get(key)
        if hit is None:
            hit = PatternHit(self.rules[index], key[1:])
            if len(self._hits) < 4096:
                self._hits[key] = hit
        return hit


@dataclass
class Compiled:
    """Per-config lookups the router needs on every call."""

    matcher: Matcher
    model_prefix: str
    complexity_prefix: str
    security_labels: frozenset[str]
    costs: dict[Any, Any]  # (tier, complexity) → CostEstimate, tier → model id; filled lazily


_last: tuple[RepoConfig, tuple[Any, ...], Compiled] | None = None  # the config routed most recently


def compiled(config: RepoConfig) -> Compiled:
    """Cached on the config object; rebuilt when a field it depends on was replaced (configs are not
    edited in place once loaded). The config routed last is also kept here: reading a pydantic private
    attribute costs microseconds, an identity check nanoseconds."""
    global _last
    key = (config.patterns, config.extra_patterns, config.models, config.prices, config.token_estimates,
           config.labels, config.security)
    last = _last
    if last is not None and last[0] is config and last[1] == key:  # tuple equality: identity first
        return last[2]
    cached = config._compiled
    if cached is not None and cached[0] == key:
        result: Compiled = cached[1]
    else:
        result = Compiled(
            matcher=Matcher(config.all_patterns()),
            model_prefix=config.labels.model_prefix.lower(),
            complexity_prefix=config.labels.complexity_prefix.lower(),
            security_labels=frozenset(s.lower() for s in config.security.labels),
            costs={},
        )
        config._compiled = (key, result)
    _last = (config, key, result)
    return result


def matcher_for(config: RepoConfig) -> Matcher:
    return compiled(config).matcher
