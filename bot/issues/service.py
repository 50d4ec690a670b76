"""The issue service: route one issue (its labels, the sticky comment, the store record), react to people's label
changes and edits, refresh the comment; people's choices are never fought.

Which `model:`/`complexity:` labels are a person's and which are the router's own? The store
tells: recorded overrides, and labels that decided an earlier routing (the router strips its own
labels before routing, so a label that decided was not its own). The router's own labels are
ignored when routing again — otherwise its first answer would win forever.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.issues import labels as labelling
from bot.issues import sticky
from bot.classifier import route_with_llm
from bot.context import Context, Result
from bot.issues.labels import COMPLEXITY, TIER
from bot.models import Complexity, IssueInput, Pins, RoutingDecision, Tier
from bot.issues.render import routing_comment
from bot.issues.state import issue_key
from bot.routing import forced
from bot.routing.kinds import features
from bot.routing.learning import Knowledge

if TYPE_CHECKING:
    from bot.config import RepoConfig

REMOVED = "none"  # override value: a person removed the label, so the router must not re-apply it
_VALUES = {TIER: {t.value for t in Tier}, COMPLEXITY: {c.value for c in Complexity}}


def issue_input(issue: dict) -> IssueInput:
    """The routing input from a webhook's issue object."""
    return IssueInput(
        title=issue.get("title") or "",
        body=issue.get("body") or "",
        labels=[lb for lb in issue.get("labels") or [] if isinstance(lb, (str, dict))],
        author_association=issue.get("author_association"),
    )


def as_routed(issue: IssueInput, config: "RepoConfig") -> IssueInput:
    """The issue as a person left it: the router's own labels are not evidence (routing, and the words it learns)."""
    return issue.model_copy(update={"labels": [n for n in issue.labels if labelling.field_of(n, config) is None]})


def human_choices(record: dict | None, overrides: list[dict]) -> dict[str, str]:
    """field → value a person chose (REMOVED when they took the label off); the latest wins."""
    out: dict[str, str] = {}
    for rule in ((record or {}).get("decision") or {}).get("matched_rules") or []:
        if rule.get("strategy") == "model_label" and rule.get("tier"):
            out.setdefault(TIER, rule["tier"])
        if rule.get("strategy") == "complexity_label" and rule.get("complexity"):
            out.setdefault(COMPLEXITY, rule["complexity"])
    for o in overrides:
        if o.get("field") in _VALUES and o.get("new"):
            out[o["field"]] = o["new"]
    return out


def knowledge(ctx: Context) -> Knowledge:
    """What routing learns from: the store's outcome history (the App's table; in the Action, the recently
    routed issues' sticky comments, read back on first use: bot.action.learned)."""
    return ctx.store.knowledge(low_score_is_failure=ctx.config.learning.low_score_is_failure)


def pins_from(human: dict[str, str]) -> Pins:
    """People's choices that still stand (a removed label pins nothing)."""
    pinned = {f: v for f, v in human.items() if v in _VALUES[f]}
    return Pins(Tier(pinned[TIER]) if TIER in pinned else None,
                Complexity(pinned[COMPLEXITY]) if COMPLEXITY in pinned else None)


def route_issue(
    ctx: Context,
    number: int,
    *,
    issue: IssueInput | None = None,
    forced_tier: Tier | str | None = None,
    forced_complexity: Complexity | str | None = None,
    by: str | None = None,
) -> Result:
    """(Re)route one issue: labels, the sticky comment and the store record.

    A forced tier/complexity wins (strategy `override`); the caller records it as an override."""
    config = ctx.config  # loads the repo config; sets ctx.config_error when it is invalid
    if issue is None:
        info = ctx.gh.get_issue(ctx.repo, number)
        issue = IssueInput(title=info.title, body=info.body, labels=info.labels, author_association=info.author_association)
    tier = Tier(forced_tier) if forced_tier else None
    complexity = Complexity(forced_complexity) if forced_complexity else None
    record = ctx.store.current(ctx.repo, number)
    people = ctx.store.overrides(ctx.repo, number)
    human = human_choices(record, people)

    pins = pins_from(human)
    routed = as_routed(issue, config)

    notes: list[str] = []
    if ctx.config_error:
        notes.append("repository config invalid: defaults used")
    if tier or complexity:
        tier, complexity = tier or pins.tier, complexity or pins.complexity
        decision = forced(routed, config, tier=tier, complexity=complexity, by=by or "a maintainer", pins=pins)
    else:
        decision = route_with_llm(routed, config, ctx.llm, notes, pins=pins, knowledge=knowledge(ctx), repo=ctx.repo)

    hands_off = frozenset(f for f, v in human.items() if v == REMOVED)
    added, removed = labelling.apply(ctx, number, decision, issue.labels, hands_off=hands_off)
    comment_id = sticky.upsert(ctx, number, render_for(ctx, number, decision, record, people, hands_off))
    source = "override" if decision.strategy.value == "override" else "auto"
    routing_id = ctx.store.record_decision(ctx.repo, number, decision, source=source, features=features(routed))
    return Result(
        action="routed",
        decision=decision,
        messages=[f"{ctx.repo}#{number}: {decision.tier.value}/{decision.complexity.value} ({decision.strategy.value})"]
        + [f"added label {n}" for n in added]
        + [f"removed label {n}" for n in removed],
        outputs={"routing-id": routing_id, "comment-id": str(comment_id)},
    )


def render_for(
    ctx: Context, number: int, decision: RoutingDecision, record: dict | None, people: list[dict], hands_off: frozenset[str] = frozenset()
) -> str:
    """The sticky comment body; `people` are the issue's recorded overrides."""
    config = ctx.config
    notes = []
    if TIER in hands_off:
        notes.append(f"A person removed the {config.labels.model_prefix} label; the router will not re-apply it.")
    if COMPLEXITY in hands_off:
        notes.append(f"A person removed the {config.labels.complexity_prefix} label; the router will not re-apply it.")
    return routing_comment(
        decision,
        config_error=ctx.config_error,
        runs=(record or {}).get("dispatches") or None,
        model_prefix=config.labels.model_prefix,
        complexity_prefix=config.labels.complexity_prefix,
        notes=notes,
        overrides={o["field"]: o["new"] for o in people if o.get("field") in _VALUES and o.get("new")},
        state_key=issue_key(ctx.state_key, ctx.repo, number),
    )


def refresh_comment(ctx: Context, number: int) -> int | None:
    """Re-render the sticky comment from the store (new runs, actual costs) without routing again."""
    record = ctx.store.current(ctx.repo, number)
    if not record:
        return None
    decision = RoutingDecision.model_validate(record["decision"])
    people = ctx.store.overrides(ctx.repo, number)
    hands_off = frozenset(f for f, v in human_choices(record, people).items() if v == REMOVED)
    return sticky.upsert(ctx, number, render_for(ctx, number, decision, record, people, hands_off))




def label_changed(ctx: Context, issue: dict, name: str, *, added: bool, sender: str) -> Result:
    """A person (bots never get here) set or removed a router label: an override, never fought."""
    managed = labelling.field_of(name, ctx.config)
    if managed is None:
        return Result(action="ignored", messages=[f"label {name!r} is not the router's"])
    field, value = managed
    if value not in _VALUES[field]:
        return Result(action="ignored", messages=[f"label {name!r} names no {field}"])
    number = issue["number"]
    record = ctx.store.current(ctx.repo, number)
    current = (record or {}).get(field)
    if added:
        new = value
    elif current is None or current == value:
        new = REMOVED
    else:
        return Result(action="ignored", messages=[f"{name!r} was not in effect"])
    ctx.store.record_override(ctx.repo, number, field=field, old=current, new=new, by=sender)
    return route_issue(ctx, number, issue=issue_input(issue))


def edited(ctx: Context, issue: dict, changes: dict) -> Result:
    """A real edit (title or body) re-routes, unless a person already overrode the routing."""
    if "title" not in changes and "body" not in changes:
        return Result(action="ignored", messages=["title and body unchanged"])
    number = issue["number"]
    if ctx.store.overrides(ctx.repo, number):
        return Result(action="ignored", messages=["a person overrode the routing; edits do not re-route"])
    return route_issue(ctx, number, issue=issue_input(issue))
