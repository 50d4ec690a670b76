"""The reviewer's structured output: the only thing the verdict can come from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["critical", "high", "medium", "low"]
VerdictName = Literal["pass", "pass_with_findings", "fail"]


class Finding(BaseModel):
    model_config = ConfigDict(extra="ignore")

    file: str = Field(description="Path of the file, exactly as shown in the diff.")
    line: int | None = Field(
        default=None, description="Line number in the NEW version of the file (as numbered in the diff), or null."
    )
    severity: Severity
    title: str = Field(description="One short line.")
    explanation: str = Field(description="What is wrong and why it matters.")
    suggestion: str = Field(default="", description="How to fix it.")


class ReviewOutput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    verdict: VerdictName = Field(
        description="fail if any change must not merge as is; pass_with_findings for lesser issues; pass otherwise."
    )
    summary: str = Field(default="", description="Two or three sentences about the change and its risk.")
    findings: list[Finding] = Field(default_factory=list)
