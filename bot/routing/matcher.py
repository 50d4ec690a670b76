"""Whole-word, case-insensitive matching of pattern rules, compiled once per config."""

from __future__ import annotations

import os
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


_VOWELS = frozenset("aeiou")
_PLURAL_ONLY = ("ion", "ment", "al", "er", "or", "ist", "ure", "ity", "ness")


def inflections(word: str) -> tuple[str, ...]:
    """The word and its regular English inflections (encrypt: encrypts, encrypted, encrypting, encryption;
    format: formatted, formatting; authorize: authorized, authorization; permission: permissions). Words
    already inflected, short or not purely alphabetic match as written."""
    w = word
    if len(w) < 3 or not w.isalpha() or not w.isascii() or w.endswith(("s", "ed", "ing")):
        return (w,)
    if w.endswith(_PLURAL_ONLY):
        return (w, w + "s")
    if w.endswith("y") and w[-2] not in _VOWELS:
        return (w, w[:-1] + "ies", w[:-1] + "ied")
    forms = [w, w + "s", w + "es", w + "ed", w + "ing", w + "ion", w + "ions"]
    if w.endswith("e"):
        stem = w[:-1]
        forms += [w + "d", stem + "ing", stem + "ion", stem + "ions"]
        if w.endswith(("ize", "ise")):
            forms += [stem + "ation", stem + "ations"]
    elif w[-1] not in _VOWELS and w[-1] not in "wxy" and w[-2] in _VOWELS and w[-3] not in _VOWELS:
        forms += [w + w[-1] + "ed", w + w[-1] + "ing"]  # format: formatted; plan: planning
    return tuple(dict.fromkeys(forms))


class Matcher:
    """Text and rule words are split into the same word tokens, so `format` never fires on `information`
    and a phrase matches across any whitespace or punctuation between its words. A single word, or the last
    word of a two-word phrase, also matches its inflections (see `inflections`); hits quote the form found."""

    def __init__(self, rules: list[PatternRule]) -> None:
        self.rules = rules
        single: dict[str, list[tuple[int, str]]] = {}
        # first word → {" a b" (the phrase's stem): [(" a bs ", rule, word), ...]}: the variants of one phrase
        # are looked for only when their common stem is in the text (one substring search, not one each)
        phrases: dict[str, dict[str, list[tuple[str, int, str]]]] = {}
        for index, rule in enumerate(rules):
            for word in rule.words:
                tokens = tuple(_TOKEN.findall(word.lower()))
                if not tokens:
                    continue
                forms = inflections(tokens[-1]) if len(tokens) <= 2 else tokens[-1:]
                stem = " " + " ".join((*tokens[:-1], os.path.commonprefix(list(forms))))
                for form in forms:
                    said = word if form == tokens[-1] else " ".join((*tokens[:-1], form))
                    if len(tokens) == 1:
                        single.setdefault(form, []).append((index, said))
                    else:
                        variants = phrases.setdefault(tokens[0], {}).setdefault(stem, [])
                        variants.append((f" {' '.join((*tokens[:-1], form))} ", index, said))
        # token → (rules it fires alone, phrases it starts): one set intersection finds every candidate
        self._index = {w: (tuple(single.get(w, ())), tuple((st, tuple(vs)) for st, vs in phrases.get(w, {}).items()))
                       for w in {*single, *phrases}}
        self._ascii_index = {w.encode(): (s, tuple((st.encode(), tuple((p.encode(), i, word) for p, i, word in vs))
                                                   for st, vs in ps if st.isascii() and all(p.isascii() for p, _, _ in vs)))
                             for w, (s, ps) in self._index.items() if w.isascii()}
        self._keys = frozenset(self._index)
        self._ascii_keys = frozenset(self._ascii_index)
        self._hits: dict[tuple[Any, ...], PatternHit] = {}

    def match(self, text: str) -> list[PatternHit]:
        tokens: list[Any]
        if text.isascii():
            tokens = text.encode().translate(_ASCII_SPLIT_LOWER).split()
            found = self._ascii_keys.intersection(tokens)
            index, space = self._ascii_index, b" "
        else:
            tokens = _TOKEN.findall(text.lower())
            found = self._keys.intersection(tokens)
            index, space = self._index, " "  # type: ignore[assignment]
        if not found:
            return []
        hits: dict[int, set[str]] = {}
        joined = None
        for token in found:
            singles, phrases = index[token]
            for i, word in singles:
                hits.setdefault(i, set()).add(word)
            if phrases:
                if joined is None:
                    joined = space + space.join(tokens) + space
                for stem, variants in phrases:
                    if stem in joined:
                        for phrase, i, word in variants:
                            if phrase in joined:
                                hits.setdefault(i, set()).add(word)
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
