"""A convoy from `/plan` to the Opus review, offline: FakeGitHub plays GitHub and its Actions runs.

`Simulation` stands in for GitHub Actions: it completes the executor runs the App dispatched (a plan
with five tasks for the planning run, execution files with costs for the others, a pull request per
finished task) and delivers the workflow_run events. `make demo` prints the result; the end-to-end
test asserts on it.
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from bot.simulator.github import FakeGitHub
from bot.simulator.local import example

REPO = "octo-org/octo-repo"
PARENT = 1
COST = {"haiku": 0.011, "sonnet": 0.052, "opus": 0.21}  # what each simulated run reports as total_cost_usd
PLAN = {"tasks": [
    {"id": "core", "title": "Add the exporter registry", "description": "Create exporters/registry.py with register() and get().",
     "files": ["exporters/registry.py"], "acceptance": "tests/test_registry.py passes", "depends_on": []},
    {"id": "csv", "title": "Port the CSV exporter to the registry", "description": "Register the CSV exporter.",
     "files": ["exporters/csv.py"], "acceptance": "CSV export still works", "depends_on": ["core"]},
    {"id": "json", "title": "Port the JSON exporter to the registry", "description": "Register the JSON exporter.",
     "files": ["exporters/json.py"], "acceptance": "JSON export still works", "depends_on": ["core"]},
    {"id": "docs", "title": "Fix typo in the exporters docs", "description": "Typo in docs/exporters.md.",
     "files": ["docs/exporters.md"], "acceptance": "the typo is gone", "depends_on": []},
    {"id": "cli", "title": "Add a --format flag to the export command", "description": "Let the CLI pick an exporter.",
     "files": ["cli/export.py"], "acceptance": "export --format csv works", "depends_on": []},
]}


def execution(cost: float, *, error: bool = False) -> str:
    return json.dumps([{"type": "result", "subtype": "error_during_execution" if error else "success", "is_error": error,
                        "total_cost_usd": cost, "num_turns": 7, "duration_ms": 42_000, "result": "done"}])


@dataclass
class Simulation:
    """GitHub Actions for the convoy: completes dispatched runs and delivers their workflow_run events."""

    fake: FakeGitHub
    ctx: Any  # bot.handlers.context.Context
    fail_first: set[str] = field(default_factory=set)  # task ids whose first run fails
    plan: dict = field(default_factory=lambda: PLAN)
    done: set[str] = field(default_factory=set)  # dispatch ids completed
    delivered: list[tuple[str, dict]] = field(default_factory=list)  # every event delivered, for redelivery
    trace: list[dict] = field(default_factory=list)  # one entry per completed run
    _ids: Any = field(default_factory=lambda: itertools.count(9001))
    branches: bool = False  # runs name their branch (`model-router-run.json`): a task is done when its PR merges

    def comment(self, body: str, user: str = "octocat", role: str = "write") -> Any:
        self.fake.set_permission(REPO, user, role)
        p = example("issue_comment", "created")
        p["issue"].pop("pull_request", None)
        p["issue"]["number"] = PARENT
        p["comment"]["id"] = self.fake.add_comment(REPO, PARENT, body, user=user)
        p["comment"]["body"] = body
        p["comment"]["user"]["login"] = p["sender"]["login"] = user
        p["repository"]["full_name"] = REPO
        return self.deliver("issue_comment", p)

    def in_flight(self) -> list[dict]:
        return [d["inputs"] for d in self.fake.repo(REPO)["workflow_dispatches"] if d["inputs"]["routing_id"] not in self.done]

    def complete(self, inputs: dict) -> Any:
        """Finish one run as GitHub Actions would: artifact first, then the workflow_run event."""
        return self.deliver("workflow_run", self.finish(inputs))

    def finish(self, inputs: dict) -> dict:
        """Finish one run (its artifact, a pull request when it succeeded); the workflow_run event to deliver."""
        run_id, number, tier = next(self._ids), int(inputs["issue_number"]), inputs["tier"]
        files: dict[str, str] = {}
        ok = True
        if inputs.get("mode") == "plan":
            files["model-router-plan.json"] = json.dumps(self.plan)
        else:
            task = self._task_of(number)
            ok = not (task in self.fail_first and not any(t["task"] == task for t in self.trace))
            if ok:
                self.fake.add_pull(REPO, title=f"Convoy task {task}", body=f"Closes #{number}", head_sha=f"{run_id:040d}",
                                   user="claude[bot]", head_ref=f"claude/issue-{number}",  # as claude-code-action opens it
                                   files=[{"filename": f"exporters/{task}.py", "status": "added", "additions": 2,
                                           "patch": f"@@ -0,0 +1,2 @@\n+def {task}():\n+    return 1"}])
        if self.branches and inputs.get("mode") != "plan":
            files["model-router-run.json"] = json.dumps({"branch_name": f"claude/issue-{number}"})
        files["tmp/claude-execution-output.json"] = execution(COST[tier], error=not ok)
        self.fake.add_artifact(REPO, run_id, f"model-router-execution-{run_id}-1", files=files)
        p = example("workflow_run", "completed", index=1)
        p["workflow_run"].update(
            id=run_id, conclusion="success" if ok else "failure", path=".github/workflows/model-router-executor.yml",
            display_title=f"model-router #{number} {inputs.get('mode', 'execute')} on {tier} [mr:{inputs['routing_id']}]",
            run_started_at="2026-11-30T01:00:00Z", updated_at="2026-11-30T01:04:00Z", event="workflow_dispatch",
            html_url=f"https://github.com/{REPO}/actions/runs/{run_id}",
            head_branch=self.fake.repo(REPO)["default_branch"],  # what GitHub reports for the bot's dispatch
        )
        p["workflow_run"]["actor"]["login"] = self.ctx.gh.bot_login() if self.ctx.gh is not None else self.fake.token_login
        p["workflow_run"]["head_repository"]["full_name"] = p["workflow_run"]["repository"]["full_name"] = REPO
        self.trace.append({"number": number, "task": self._task_of(number), "tier": tier, "ok": ok,
                           "in_flight": len(self.in_flight())})
        self.done.add(inputs["routing_id"])
        return p

    def merge(self, number: int) -> Any:
        """A person merges the task issue's open pull request; GitHub sends `pull_request.closed`."""
        r = self.fake.repo(REPO)
        pr = max(n for n, i in r["issues"].items() if i["pull"] and i["pull"]["head_ref"] == f"claude/issue-{number}")
        r["issues"][pr]["state"] = "closed"
        r["issues"][pr]["pull"]["merged_at"] = "2026-11-30T02:00:00Z"
        p = example("pull_request", "closed")
        p["number"] = p["pull_request"]["number"] = pr
        p["pull_request"]["head"]["ref"] = f"claude/issue-{number}"
        p["repository"]["full_name"] = REPO
        return self.deliver("pull_request", p)

    def deliver(self, event: str, payload: dict) -> Any:
        """Deliver an event (a copy is kept: GitHub may deliver it again, and so may a retried job)."""
        from bot.handlers import handle_event

        self.delivered.append((event, json.loads(json.dumps(payload))))
        return handle_event(event, payload, self.ctx)

    def run(self, limit: int = 50) -> None:
        """Complete the oldest run in flight until none is left."""
        for _ in range(limit):
            runs = self.in_flight()
            if not runs:
                return
            self.complete(runs[0])
        raise RuntimeError("the convoy did not settle")

    def _task_of(self, number: int) -> str | None:
        from bot.convoy.subissues import render_marker_id

        return render_marker_id(self.fake.issue(REPO, number)["body"] or "", PARENT)


def build(fake: FakeGitHub, llm: Any, db_url: str = "sqlite://", cap: int = 2) -> Any:
    """A Context on FakeGitHub: the parent issue, a convoy-friendly config, a fresh store."""
    from sqlalchemy import create_engine

    from bot.context import Context
    from bot.github.rest import RestGitHub
    from bot.store.issues import IssueStore

    fake.add_repo(REPO)
    fake.add_issue(REPO, PARENT, title="Make the exporters pluggable across modules",
                   body="Exporters are hard-coded in three places; give them one registry.")
    gh = RestGitHub("demo-token", fake.url, writes_per_minute=None, min_write_interval=0, backoff=0)
    ctx = Context(gh=gh, repo=REPO, store=IssueStore(create_engine(db_url)), configs=None, llm=llm)
    set_config(ctx, {"budgets": {"max_concurrent_runs": cap, "monthly_usd": 50}, "llm": {"enabled": llm is not None}})
    return ctx


def set_config(ctx: Any, data: dict) -> None:
    """Give the Context this repository config (as if .github/model-router.yml said so)."""
    from bot.config import RepoConfig
    from bot.config.source import FixedConfig

    ctx.configs, ctx._loaded = FixedConfig(RepoConfig.model_validate(data)), None


def claude_reply(req: Any) -> dict:
    """FakeAnthropic's answers: the Opus review of the whole, and the classifier for issues no rule decided."""
    if (req.output_schema or {}).get("title") == "ReviewOutput":
        return {"verdict": "pass", "summary": "The registry and the ported exporters fit together; no risky change.",
                "findings": []}
    if "across modules" in req.prompt:  # the parent
        return {"tier": "sonnet", "complexity": "complex", "confidence": 0.85}
    big = "registry" in req.prompt and "Port" not in req.prompt
    return {"tier": "sonnet" if big else "haiku", "complexity": "standard" if big else "simple", "confidence": 0.85}


def run_convoy_demo(out: IO[str] = sys.stdout) -> int:
    from bot.convoy import render, service
    from bot.llm import AnthropicLLM
    from bot.simulator.anthropic import FakeAnthropic

    with FakeGitHub() as fake, FakeAnthropic() as claude:
        claude.reply_with(claude_reply)
        llm = AnthropicLLM("sk-demo", base_url=claude.url)
        ctx = build(fake, llm)
        sim = Simulation(fake, ctx, fail_first={"csv"})
        out.write("\nConvoy: `/plan` on #1 \"Make the exporters pluggable across modules\" (cap: 2 runs at a time)\n")
        sim.comment("/plan")
        sim.run()
        for t in sim.trace:
            what = "planning run" if t["task"] is None else f"task {t['task']:5} #{t['number']}"
            out.write(f"  run finished: {what:22} on {t['tier']:6} {'ok' if t['ok'] else 'FAILED -> escalates'}\n")
        convoy = service.load(ctx, PARENT)
        body = render.checklist(convoy).replace(render.MARKER + "\n", "").rsplit("\n", 3)[0]
        out.write("\nThe parent's convoy comment:\n\n" + body.rstrip() + "\n")
        out.write(f"\nGitHub calls: {len(fake.requests)}, refused by the OpenAPI description: {len(fake.violations)}\n")
        llm.close()
        return 1 if fake.violations else 0


if __name__ == "__main__":
    sys.exit(run_convoy_demo())
