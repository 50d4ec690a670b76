"""The runner's file commands: step outputs, the job summary and `::error::` annotations."""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import IO, Any

from bot.context import Result

# The outputs action.yml declares; `decision` is the whole decision as JSON.
DECISION_OUTPUTS = ("tier", "model", "complexity", "estimated-cost", "decision")
# Handler output keys that the Action publishes under its own (hyphenated) output name as well.
OUTPUT_ALIASES = {"actual_cost_usd": "actual-cost"}


def result_outputs(result: Result) -> dict[str, str]:
    """Step outputs for a handler result: the routing keys when it routed, plus what the handler added."""
    out: dict[str, str] = {"result": result.action}
    decision = result.decision
    if decision is not None:
        flat = decision.summary() if hasattr(decision, "summary") else dict(decision)
        out["tier"] = str(flat.get("tier", ""))
        out["model"] = str(flat.get("model", ""))
        out["complexity"] = str(flat.get("complexity", ""))
        out["estimated-cost"] = f"{float(flat.get('estimated_cost_usd', 0.0)):.6f}"
        full = decision.model_dump(mode="json") if hasattr(decision, "model_dump") else flat
        out["decision"] = json.dumps(full, sort_keys=True)
    for key, value in result.outputs.items():
        out[key] = str(value)
        if key in OUTPUT_ALIASES:
            out[OUTPUT_ALIASES[key]] = str(value)
    return out


def write_outputs(path: Path | None, outputs: dict[str, str], stream: IO[str] = sys.stdout) -> None:
    """Append `name<<DELIM` blocks: safe for any value, multiline included (GitHub's heredoc syntax)."""
    if path is None:  # not on a runner: print them instead
        for key, value in outputs.items():
            print(f"{key}={value}", file=stream)
        return
    with open(path, "a", encoding="utf-8") as fh:
        for key, value in outputs.items():
            delim = f"ghadelimiter_{secrets.token_hex(8)}"
            while delim in value:
                delim = f"ghadelimiter_{secrets.token_hex(8)}"
            fh.write(f"{key}<<{delim}\n{value}\n{delim}\n")


def _cell(value: Any) -> str:
    text = str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    return text if text else " "


def summary_markdown(event: str, mode: str, result: Result, *, dry_run: bool, errors: list[str]) -> str:
    """The decision as a table, then what the handler said, then errors."""
    title = "model-router" + (" (dry run: nothing was written)" if dry_run else "")
    lines = [f"### {title}", "", f"Event `{event}` · mode `{mode}` · result `{result.action}`", ""]
    decision = result.decision
    if decision is not None:
        flat = decision.summary() if hasattr(decision, "summary") else dict(decision)
        lines += ["| | |", "|---|---|"]
        for key, value in flat.items():
            if key == "rationale":
                continue
            if isinstance(value, float) and key.endswith("_usd"):
                value = f"${value:.4f}"
            lines.append(f"| {_cell(key.replace('_', ' '))} | {_cell(value)} |")
        if flat.get("rationale"):
            lines += ["", f"**Why:** {_cell(flat['rationale'])}"]
        lines.append("")
    for msg in result.messages:
        lines.append(f"- {_cell(msg)}")
    for err in errors:
        lines.append(f"- :x: {_cell(err)}")
    if result.outputs.get("report"):  # `mode: report` over the repository: markdown with Mermaid charts
        lines += ["", result.outputs["report"]]
    return "\n".join(lines).rstrip() + "\n"


def write_summary(path: Path | None, markdown: str) -> None:
    if path is None:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(markdown)


def _escape_data(text: str) -> str:
    # Workflow-command escaping: %, CR and LF in the message part.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, file: str | None = None, line: int | None = None) -> str:
    """One `::error::` (or warning/notice) line; only the first line of the message is kept."""
    first = (message.strip().splitlines() or [""])[0]
    props = []
    if file:
        props.append(f"file={_escape_prop(file)}")
    if line:
        props.append(f"line={int(line)}")
    head = f"::{level} {','.join(props)}::" if props else f"::{level}::"
    return head + _escape_data(first)
