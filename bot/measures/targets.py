"""The five targets: embedded defaults (bot/data/targets.yaml), overridden by MODEL_ROUTER_TARGETS (a YAML file)."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class Range(BaseModel):
    """A target: at least `min` and/or at most `max`; `percent` says how to print it. With `of: no_routing` the
    ceiling is a multiple of what the same issues cost without routing, so it holds for small and large work alike."""

    model_config = ConfigDict(extra="forbid")
    min: float | None = None
    max: float | None = None
    percent: bool = True
    of: Literal["no_routing"] | None = None

    @model_validator(mode="after")
    def _a_relative_target_is_a_ceiling(self) -> "Range":
        if self.of and (self.max is None or self.min is not None or self.percent):
            raise ValueError("a target `of: no_routing` takes only `max` (a multiple, e.g. 0.85) and `percent: false`")
        return self

    def met(self, value: float | None, reference: float | None = None) -> bool | None:
        """Whether `value` is on target; a relative target compares value / reference (None when unknown)."""
        if value is None:
            return None
        if self.of:
            if not reference:
                return None
            value = value / reference
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    @property
    def text(self) -> str:
        if self.of:
            return f"≤ {self.max:.2f}× no routing"
        f = (lambda x: f"{x:.0%}") if self.percent else (lambda x: f"${x:.4g}")
        if self.min is not None and self.max is not None:
            return f"{f(self.min)}–{f(self.max)}"
        return f"≥ {f(self.min)}" if self.min is not None else f"≤ {f(self.max)}"


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid")
    haiku_success: Range = Field(default_factory=lambda: Range(min=0.85))
    savings: Range = Field(default_factory=lambda: Range(min=0.25, max=0.35))
    haiku_share: Range = Field(default_factory=lambda: Range(min=0.40, max=0.60))
    average_cost: Range = Field(default_factory=lambda: Range(max=0.85, percent=False, of="no_routing"))
    routing_accuracy: Range = Field(default_factory=lambda: Range(min=0.90))

    def for_measure(self, key: str) -> Range:
        return getattr(self, key)


class TargetsError(ValueError):
    """An unreadable targets file: one line naming it."""


@lru_cache(maxsize=8)
def _load(path: str | None, _mtime: int = 0) -> Targets:
    if path is None:
        text = (resources.files("bot") / "data" / "targets.yaml").read_text(encoding="utf-8")
        where = "bot/data/targets.yaml"
    else:
        try:
            text, where = Path(path).read_text(encoding="utf-8"), path
        except OSError as exc:
            raise TargetsError(f"MODEL_ROUTER_TARGETS: cannot read {path} ({exc.strerror})") from None
    try:
        return Targets.model_validate(yaml.safe_load(text) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise TargetsError(f"{where}: invalid targets ({str(exc).splitlines()[0]})") from None


def load_targets(path: str | None = None) -> Targets:
    """The targets in force: `path`, else $MODEL_ROUTER_TARGETS, else the embedded defaults."""
    path = path or os.environ.get("MODEL_ROUTER_TARGETS") or None
    try:
        mtime = os.stat(path).st_mtime_ns if path else 0  # an edited file is read again
    except OSError:
        mtime = -1
    return _load(path, mtime)
