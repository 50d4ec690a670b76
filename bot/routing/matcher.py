"""Whole-word, case-insensitive matching of pattern rules, compiled once per config."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any

from bot.config import PatternRule, RepoConfig

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class PatternHit:
    rule: PatternRule
    words: tuple[str, ...]  # the rule's words or phrases found in the text


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

    def match(self, text: str) -> list[PatternHit]:
        tokens = _TOKEN.findall(text.lower())
        present = set(tokens)
        hits: dict[int, set[str]] = {}
        for token in present & self._single_keys:
            for index, word in self._single[token]:
                hits.setdefault(index, set()).add(word)
        starts = present & self._phrase_keys
        if starts:
            joined = f" {' '.join(tokens)} "
            for token in starts:
                for phrase, index, word in self._phrases[token]:
                    if phrase in joined:
                        hits.setdefault(index, set()).add(word)
        return [PatternHit(self.rules[i], tuple(sorted(words))) for i, words in sorted(hits.items())]


def compiled(config: RepoConfig) -> tuple[Matcher, dict[Any, Any]]:
    """The pattern matcher and a (tier, complexity) → CostEstimate cache for this config. Cached on the config object; rebuilt when a field it depends on was replaced (configs are not
    edited in place once loaded)."""
    key = (config.patterns, config.extra_patterns, config.models, config.prices, config.token_estimates)
    cached = config._compiled
    if cached is not None and all(map(operator.is_, cached[0], key)):
        return cached[1], cached[2]
    matcher, costs = Matcher(config.all_patterns()), {}
    config._compiled = (key, matcher, costs)
    return matcher, costs


def matcher_for(config: RepoConfig) -> Matcher:
    return compiled(config)[0]
