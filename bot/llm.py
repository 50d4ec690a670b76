"""The LLM facade: one structured-output call, validated by pydantic, or an LLMError."""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


class LLMError(Exception):
    """Timeout, API error or output that does not fit the schema; the caller falls back."""


class LLMPort(Protocol):
    def structured(
        self, *, model: str, system: str, prompt: str, schema: type[T], max_tokens: int = 1024, timeout: float = 5.0
    ) -> T: ...
