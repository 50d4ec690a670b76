"""Run the Action once: env + event file → Context → the shared handlers or a mode → outputs, summary, annotations."""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass, field
from typing import IO, Any

from bot.action import io
from bot.action.context import build_context
from bot.action.dryrun import DryRunGitHub
from bot.action.errors import ActionError
from bot.action.learned import before_outcome, learn
from bot.action.memory import labels_before, recover
from bot.action.modes import report, repository_report, route_and_dispatch
from bot.action.settings import ActionSettings
from bot.context import Context, Result
from bot.github.port import GitHubError, GitHubPort
from bot.handlers import handle_event
from bot.issues.service import refresh_comment, route_issue
from bot.review import ReviewUnavailable, bot_prs
from bot.review.gate import CONTEXT

# The event each explicit mode needs; `auto` picks the mode from the event.
MODE_EVENTS: dict[str, tuple[str, ...]] = {
    "command": ("issue_comment",),
    "gate": ("pull_request", "pull_request_target"),
}
AUTO_MODES = {
    "issues": "route",
    "issue_comment": "command",
    "pull_request": "gate",
    "pull_request_target": "gate",
    "workflow_run": "outcome",
    "pull_request_review": "outcome",
}
AUTO_ACTIONS = {("pull_request_target", "closed"): "outcome", ("pull_request", "closed"): "outcome"}
PERMISSION_HINT = {
    "route": "issues: write",
    "command": "issues: write, pull-requests: write",
    "gate": "statuses: write, pull-requests: write",
    "dispatch": "issues: write, actions: write",
    "report": "issues: write",
    "outcome": "issues: write, pull-requests: read, checks: read, statuses: read, actions: write",
}


def review_unavailable(reason: str) -> str:
    """The one line for a review-gate outage. The step fails on purpose: a red job tells the author the review
    did not happen and "Re-run failed jobs" retries it, while the pending status keeps the merge blocked."""
    return (
        f"the Opus review could not run ({' '.join(reason.split())[:200]}); the `{CONTEXT}` status stays pending "
        "and the review runs again on the next push or `/review` comment (or re-run this job)"
    )


@dataclass
class Run:
    """Everything one invocation produced; `exit_code` is what the step returns."""

    mode: str
    result: Result
    errors: list[ActionError] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def load_event(settings: ActionSettings) -> dict:
    try:
        payload = json.loads(settings.event_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ActionError(f"event file {settings.event_path} does not exist (GITHUB_EVENT_PATH)") from None
    except (OSError, ValueError) as exc:
        raise ActionError(f"event file {settings.event_path} is not readable JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ActionError(f"event file {settings.event_path} does not hold a JSON object")
    return payload


def resolve_mode(mode: str, event: str, action: object = None) -> str:
    if mode == "auto":
        return AUTO_ACTIONS.get((event, action)) or AUTO_MODES.get(event, "ignore")
    allowed = MODE_EVENTS.get(mode)
    if allowed and event not in allowed:
        raise ActionError(f"mode '{mode}' needs a {' or '.join(allowed)} event, got '{event}'")
    return mode


def issue_number(settings: ActionSettings, payload: dict) -> int:
    """The issue a route/dispatch/report run is about: the input, else the event's issue or dispatch input."""
    if settings.issue_number:
        return settings.issue_number
    for candidate in (
        (payload.get("issue") or {}).get("number"),
        (payload.get("inputs") or {}).get("issue_number"),
        (payload.get("client_payload") or {}).get("issue_number"),
    ):
        if candidate not in (None, ""):
            try:
                return int(candidate)
            except (TypeError, ValueError):
                raise ActionError(f"issue number {candidate!r} is not a number") from None
    raise ActionError("no issue number: set the `issue-number` input or run on an issues event")


def execute(mode: str, settings: ActionSettings, payload: dict, ctx: Context) -> Result:
    if mode == "report" and settings.execution_file is None:
        try:
            issue_number(settings, payload)
        except ActionError:  # about no issue and no run: the repository's numbers
            return repository_report(ctx, settings.runner_temp)
        raise ActionError("mode 'report' needs the `execution-file` input (claude-code-action's output) to report "
                          "a run; without an issue it reports on the repository")
    number = _recover(mode, settings, payload, ctx)
    runs = len(ctx.store.dispatches(ctx.repo, number)) if number else 0
    history = learn(ctx, settings.history_issues, settings.history_file())  # read if routing asks for it
    if mode == "outcome":
        before_outcome(ctx, history, payload)
    result = _handle(mode, settings, payload, ctx)
    if number and not ctx.dry_run and len(ctx.store.dispatches(ctx.repo, number)) > runs and mode != "report":
        refresh_comment(ctx, number)  # the new run goes into the comment's state, for later jobs
    if history is not None and history.changed:
        result.outputs["history-changed"] = "true"  # action.yml saves the cache file for later jobs
    return result


def _handle(mode: str, settings: ActionSettings, payload: dict, ctx: Context) -> Result:
    event = settings.event_name
    if mode == "command":
        result = handle_event(event, payload, ctx)
        number = (payload.get("issue") or {}).get("number")
        if result.decision is None and number:
            # a command that (re)routed (/model, /route, ...) left this job's decision in the store
            result.decision = ctx.store.decision(ctx.repo, int(number))
        return result
    if mode in ("gate", "outcome", "ignore") or (mode == "route" and event == "issues"):
        return handle_event(event, payload, ctx)
    if mode == "route":
        return route_issue(ctx, issue_number(settings, payload))
    if mode == "dispatch":
        return route_and_dispatch(ctx, issue_number(settings, payload), payload)
    if mode == "report":
        return report(ctx, issue_number(settings, payload), settings.execution_file, payload,
                      plan_file=settings.plan_file(), branch=settings.branch_name,
                      agent=settings.agent_outcome)
    raise ActionError(f"unknown mode '{mode}'")  # pragma: no cover - settings validate the mode


def _recover(mode: str, settings: ActionSettings, payload: dict, ctx: Context) -> int | None:
    """Give this job's scratch store what earlier jobs left on the issue (see bot.action.memory);
    returns the issue's number when there is one."""
    if mode == "report":
        pass  # sent by the executor workflow, often as github-actions[bot]: its runs must still count
    elif mode not in ("route", "command", "dispatch") or (payload.get("sender") or {}).get("type") == "Bot":
        return None
    if (payload.get("issue") or {}).get("number"):
        number, labels = int(payload["issue"]["number"]), labels_before(payload)
    else:
        number = issue_number(settings, payload)
        labels = ctx.gh.issue_labels(ctx.repo, number)
    recovered = recover(ctx, number, labels)
    if recovered:
        ctx.notes.append("earlier overrides by people: " + ", ".join(recovered))
    return number


def run(
    settings: ActionSettings,
    *,
    gh: GitHubPort | None = None,
    llm: Any = None,
    stream: IO[str] = sys.stdout,
) -> Run:
    """One Action step. Never raises: every failure becomes an annotation and a non-zero exit code."""
    mode = settings.mode
    outcome = Run(mode=mode, result=Result(action="failed"))
    ctx: Context | None = None
    payload: dict = {}
    try:
        payload = load_event(settings)
        mode = outcome.mode = resolve_mode(settings.mode, settings.event_name, payload.get("action"))
        ctx = build_context(settings, payload, gh=gh, llm=llm)
        outcome.result = execute(mode, settings, payload, ctx)
    except ActionError as exc:
        outcome.errors.append(exc)
    except ReviewUnavailable as exc:  # the handler already reported `pending` on the head commit
        outcome.result = Result(action="pending", outputs={"review_state": "pending"})
        outcome.errors.append(ActionError(review_unavailable(exc.reason)))
    except GitHubError as exc:
        hint = PERMISSION_HINT.get(mode)
        extra = f" (does the job grant `permissions: {hint}`?)" if exc.status in (403, 404) and hint else ""
        author = ((payload.get("pull_request") or {}).get("user") or {}).get("login")
        if exc.status == 403 and mode == "gate" and bot_prs.is_dependency_bot(author):
            extra = f" ({bot_prs.read_only(author)})"
        outcome.errors.append(ActionError(f"{exc}{extra}"))
    except Exception as exc:  # the step must fail with one clear line, the trace goes to the log
        traceback.print_exc(file=sys.stderr)
        outcome.errors.append(ActionError(f"internal error: {type(exc).__name__}: {exc}"))
    if ctx is not None:  # said last, after everything was recorded: the step fails, naming the permission to add
        outcome.errors += [ActionError(message) for message in ctx.refused]
    if ctx is not None and ctx.config_error:
        outcome.errors.append(
            ActionError(f"{ctx.config_error} (defaults were used)", file=settings.config_path, line=ctx.loaded.line)
        )
    if ctx is not None:
        outcome.result.messages[:0] = ctx.notes
    if ctx is not None and isinstance(ctx.gh, DryRunGitHub):
        outcome.planned = list(ctx.gh.planned)
    if ctx is not None:
        _release(ctx, own_gh=gh is None, own_llm=llm is None)
    _report(settings, outcome, stream)
    return outcome


def _release(ctx: Context, *, own_gh: bool, own_llm: bool) -> None:
    """Close the connection pools this step opened (not the ones a caller passed in)."""
    if own_gh and hasattr(ctx.gh, "close"):
        ctx.gh.close()  # a DryRunGitHub forwards close() to the real port
    if own_llm and ctx.llm is not None:
        ctx.llm.close()
    ctx.store.close()


def _report(settings: ActionSettings, outcome: Run, stream: IO[str]) -> None:
    result = outcome.result
    for line in outcome.planned:
        print(f"[dry-run] {line}", file=stream)
    for msg in result.messages:
        print(msg, file=stream)
    outputs = io.result_outputs(result)
    io.write_outputs(settings.output_file, outputs, stream=stream)
    if result.decision is not None:
        print(f"decision: {outputs['decision']}", file=stream)
    messages = [e.args[0] for e in outcome.errors]
    extra = Result(action=result.action, decision=result.decision, messages=result.messages + outcome.planned,
                   outputs=result.outputs)
    md = io.summary_markdown(settings.event_name, outcome.mode, extra, dry_run=settings.dry_run, errors=messages)
    io.write_summary(settings.summary_file, md)
    for err in outcome.errors:
        print(io.annotation("error", err.args[0], file=err.file, line=err.line), file=stream)
