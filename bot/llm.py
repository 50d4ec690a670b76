"""The LLM facade: one structured-output call, validated by pydantic, or an LLMError."""

from __future__ import annotations

import logging
import secrets
import warnings
from typing import Protocol, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)
log = logging.getLogger(__name__)


class LLMError(Exception):
    """Timeout, API error or output that does not fit the schema; the caller falls back."""


class LLMOutputError(LLMError):
    """An answer arrived but is unusable (not JSON, outside the schema, cut short): retrying will not help."""


class Usage(BaseModel):
    """Tokens one call used, as the API reported them (priced later from the catalog)."""

    model: str
    input_tokens: int = 0
    output_tokens: int = 0


class LLMPort(Protocol):
    def structured(
        self,
        *,
        model: str,
        system: str,
        prompt: str,
        schema: type[T],
        max_tokens: int = 1024,
        timeout: float = 5.0,
        usage: list[Usage] | None = None,
    ) -> T: ...


def untrusted_tag(*texts: str) -> str:
    """A fresh random tag per call, for the markers around untrusted text (never one the text contains)."""
    while True:
        tag = f"untrusted-{secrets.token_hex(8)}"
        if not any(tag in t for t in texts):
            return tag


def as_data(kind: str, text: str, tag: str) -> str:
    """Untrusted text between BEGIN/END markers carrying the call's random tag: the text was written before
    the tag existed, so it cannot forge the END marker in any spelling or case."""
    return f"BEGIN {kind} {tag}\n{text}\nEND {kind} {tag}\n"


class AnthropicLLM:
    """LLMPort over the anthropic SDK's structured outputs (`messages.parse` with `output_format`)."""

    def __init__(self, api_key: str, base_url: str | None = None, max_retries: int = 0) -> None:
        import anthropic  # imported here: the SDK is slow to import and the CLI rarely needs it

        self._anthropic = anthropic
        self._client = anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=max_retries)

    def close(self) -> None:
        """Release the HTTP connection pool (otherwise left to the garbage collector)."""
        self._client.close()

    def structured(
        self,
        *,
        model: str,
        system: str,
        prompt: str,
        schema: type[T],
        max_tokens: int = 1024,
        timeout: float = 5.0,
        usage: list[Usage] | None = None,
    ) -> T:
        """The parsed answer; when `usage` is given, the call's token counts are appended to it."""
        import pydantic

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                response = self._client.messages.parse(
                    model=model,
                    max_tokens=max_tokens,
                    system=system,
                    messages=[{"role": "user", "content": prompt}],
                    output_format=schema,
                    timeout=timeout,
                )
            for w in caught:  # e.g. a deprecated model id: worth a log line, not a failure
                log.warning("anthropic: %s", w.message)
        except self._anthropic.APITimeoutError as exc:
            raise LLMError(f"timed out after {timeout:g} s") from exc
        except self._anthropic.APIStatusError as exc:
            raise LLMError(f"API error {exc.status_code}: {_short(exc.message)}") from exc
        except self._anthropic.APIError as exc:
            raise LLMError(f"API error: {_short(str(exc))}") from exc
        except pydantic.ValidationError as exc:
            # Name where and how it failed, never the offending value: it may echo untrusted text.
            where = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'output'}: {e['type']}" for e in exc.errors()[:3])
            raise LLMOutputError(f"output did not fit the schema ({where})") from exc
        except ValueError as exc:
            raise LLMOutputError("output was not valid JSON") from exc
        if usage is not None and response.usage is not None:
            usage.append(Usage(model=model, input_tokens=response.usage.input_tokens or 0,
                               output_tokens=response.usage.output_tokens or 0))
        if response.stop_reason not in ("end_turn", "stop_sequence"):
            raise LLMOutputError(f"no complete answer (stop_reason={response.stop_reason})")
        parsed = response.parsed_output
        if not isinstance(parsed, schema):
            raise LLMOutputError("no structured output in the response")
        return parsed


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
