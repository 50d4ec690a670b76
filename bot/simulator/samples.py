"""The bundled sample issues (the seed's examples) and their routing: the demo's table, its service part and tests."""

from __future__ import annotations

import json
from importlib import resources

from bot.config import RepoConfig
from bot.models import IssueInput, RoutingDecision
from bot.routing import route


def load_samples() -> list[dict]:
    text = (resources.files("bot") / "data" / "samples.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def route_samples(config: RepoConfig | None = None, *, files: bool = True) -> list[tuple[dict, RoutingDecision]]:
    """Each sample with its decision; `files=False` routes it as the App sees a new issue (no changed-file count)."""
    config = config or RepoConfig()
    rows = []
    for sample in load_samples():
        count = sample.get("files") if files else None
        issue = IssueInput(title=sample["title"], body=sample.get("body", ""), labels=sample.get("labels", []),
                           changed_files=count if isinstance(count, int) else None)
        rows.append((sample, route(issue, config)))
    return rows
