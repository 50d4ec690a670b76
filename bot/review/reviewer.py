"""Run the opus-tier model over each diff chunk and merge the structured answers into one verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from bot.llm import LLMError, LLMPort, Usage
from bot.review import ReviewInvalid, ReviewUnavailable
from bot.review.diff import DiffPlan
from bot.review.prompt import build
from bot.review.schema import ReviewOutput

_RANK = {"pass": 0, "pass_with_findings": 1, "fail": 2}


@dataclass
class ReviewResult:
    output: ReviewOutput  # merged over all chunks
    model: str
    chunks: int
    usage: list[Usage]  # one entry per call, for the review's actual cost


def _invalid(exc: BaseException) -> bool:
    """True when the model answered but not with a complete, schema-valid verdict (retrying won't help).

    API errors and timeouts are the other kind: worth retrying later. Either way the gate never passes.
    """
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (ValidationError, json.JSONDecodeError)):
            return True
        cur = cur.__cause__ or cur.__context__
    # bot.llm.AnthropicLLM's messages for answers that arrived but did not fit
    return str(exc).startswith(("output did not fit", "output was not valid", "no complete answer", "no structured output"))


def review(
    llm: LLMPort,
    *,
    model: str,
    title: str,
    body: str,
    plan: DiffPlan,
    max_tokens: int = 8192,
    timeout: float = 300.0,
) -> ReviewResult:
    """One structured call per chunk; the worst verdict wins.

    Raises ReviewUnavailable (retry later) for API failures and ReviewInvalid for answers
    that do not fit the schema, so neither can ever turn into a pass.
    """
    outputs: list[ReviewOutput] = []
    usage: list[Usage] = []
    skipped = plan.skipped_text()
    for i, chunk in enumerate(plan.chunks, start=1):
        prompt = build(title=title, body=body, diff=chunk.text, part=i, parts=len(plan.chunks), skipped=skipped)
        try:
            out = llm.structured(
                model=model, system=prompt.system, prompt=prompt.user, schema=ReviewOutput,
                max_tokens=max_tokens, timeout=timeout, usage=usage,
            )
        except LLMError as exc:
            if _invalid(exc):
                raise ReviewInvalid(f"the review did not fit the schema ({_short(exc)})") from exc
            raise ReviewUnavailable(_short(exc), retry_after=getattr(exc, "retry_after", None)) from exc
        if not isinstance(out, ReviewOutput):  # a port that returned something else is a defect, not a pass
            raise ReviewInvalid(f"the review returned {type(out).__name__}, not a ReviewOutput")
        outputs.append(out)
    return ReviewResult(output=merge(outputs, len(plan.chunks)), model=model, chunks=len(plan.chunks), usage=usage)


def merge(outputs: list[ReviewOutput], parts: int) -> ReviewOutput:
    if not outputs:
        raise ReviewInvalid("no review output")
    verdict = max((o.verdict for o in outputs), key=_RANK.__getitem__)
    findings = [f for o in outputs for f in o.findings]
    if verdict == "pass" and findings:
        verdict = "pass_with_findings"  # a "pass" that lists findings still reports them
    if parts == 1:
        summary = outputs[0].summary
    else:
        summary = "\n".join(f"Part {i}/{parts}: {o.summary}" for i, o in enumerate(outputs, 1) if o.summary)
    return ReviewOutput(verdict=verdict, summary=summary, findings=findings)


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
