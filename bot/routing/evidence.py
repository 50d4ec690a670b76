"""What an issue says — labels, pattern hits, security signals, changed files — gathered once per decision. Pure."""

from __future__ import annotations

from typing import Any

from bot.config import RepoConfig
from bot.models import Complexity, IssueInput, Pins, RuleMatch, Strategy, Tier
from bot.routing.paths import match_paths
from bot.routing.matcher import Compiled
from bot.routing.normalize import normalize

_SECURITY = Strategy.security
_TIERS = {t.value: t for t in Tier}
_COMPLEXITIES = {c.value: c for c in Complexity}
# Validating a dict straight through pydantic-core skips BaseModel.__init__'s Python wrapper (~0.5 us a
# RuleMatch): same checks, same objects.
_validate_rule = RuleMatch.__pydantic_validator__.validate_python


def trace_entry(**fields: Any) -> RuleMatch:
    """One trace entry (the engine's hot path builds several per decision)."""
    return _validate_rule(fields)  # type: ignore[no-any-return]


class Evidence:
    """Everything the issue says, gathered once; strategies then read it in precedence order."""

    def __init__(self, issue: IssueInput, config: RepoConfig, notes: list[str], comp: Compiled, pins: Pins | None = None) -> None:
        mp, cp, security_labels = comp.model_prefix, comp.complexity_prefix, comp.security_labels
        self.model_labels: list[tuple[str, Tier]] = []
        self.complexity_labels: list[tuple[str, Complexity]] = []
        self.security: list[RuleMatch] = []
        self.labels: list[str] = []  # people's other labels (bug, docs, ...): a hint of the kind of work
        for name in issue.labels:
            low = (name if name.isascii() else normalize(name)).strip().lower()
            if low.startswith(mp):
                tier = _TIERS.get(low[len(mp):].strip())
                if tier is None:
                    notes.append(f"label {name!r} names no tier ({', '.join(_TIERS)}); ignored")
                else:
                    self.model_labels.append((name, tier))
            elif low.startswith(cp):
                complexity = _COMPLEXITIES.get(low[len(cp):].strip())
                if complexity is None:
                    notes.append(f"label {name!r} names no complexity (trivial, simple, standard, complex); ignored")
                else:
                    self.complexity_labels.append((name, complexity))
            elif low and len(self.labels) < 4:
                self.labels.append(low[:40])
            if low in security_labels:
                self.security.append(trace_entry(strategy=_SECURITY, rule=f"label:{name}",
                                                 detail=f"labelled {name!r}"))
        if pins and pins.tier is not None:  # a person's choice weighs as that label (the caller strips ours)
            self.model_labels.append((config.labels.model_label(pins.tier), pins.tier))
        if pins and pins.complexity is not None:
            self.complexity_labels.append((config.labels.complexity_label(pins.complexity), pins.complexity))
        self.hits = comp.matcher.match(normalize(f"{issue.title}\n{issue.body}"))
        for hit in self.hits:
            if hit.rule.security:
                self.security.append(trace_entry(strategy=_SECURITY, rule=hit.rule.name, tier=hit.rule.tier,
                                                 detail=f"mentions {hit.quoted}"))
        for m in match_paths(issue.changed_paths, config.security_paths())[:5] if issue.changed_paths else ():
            self.security.append(trace_entry(strategy=_SECURITY, rule=f"path:{m.path}",
                                             detail=f"changes {m.path} (matches {m.pattern})"))
        if issue.changed_files is not None:
            self.files: int | None = issue.changed_files
        else:
            self.files = len(issue.changed_paths) if issue.changed_paths else None

    def kind(self) -> str:
        """`rules|labels`, e.g. `typo|documentation`: the key outcomes are learned under."""
        hits = self.hits
        if not hits:
            rules = ""
        elif len(hits) == 1:
            rules = hits[0].rule.name
        else:
            rules = "+".join(sorted({h.rule.name for h in hits}))
        labels = self.labels
        if not labels:
            return rules
        return f"{rules}|{labels[0] if len(labels) == 1 else '+'.join(sorted(set(labels)))}"
