"""`/cost [complexity]`: what this task would cost on every tier."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.commands._shared import choices
from bot.context import Context
from bot.issues.render import money, phases_line, safe, score
from bot.models import Complexity, Tier
from bot.routing import cost_table
from bot.routing.estimate import by_tier
from bot.routing.matcher import compiled


@command(
    "cost",
    usage="/cost [trivial|simple|standard|complex]",
    description="Show the expected cost of this task starting on every tier (at its routed complexity by default), and its runs' `/rate` scores.",
    who="anyone",
    examples=("/cost", "/cost complex"),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    decision = ctx.store.decision(ctx.repo, req.number)
    if req.inv.args:
        try:
            level = Complexity(req.inv.args[0].lower())
        except ValueError:
            return CommandReply(body=f"Usage: `/cost [{choices(Complexity)}]`.", reaction="confused")
    else:
        level = decision.complexity if decision else Complexity.standard
    rows = cost_table(level, ctx.config)
    tokens = next(est for tier, _m, est in rows if Tier(tier) is Tier.sonnet)
    tasks, no_routing = by_tier(ctx.config, compiled(ctx.config).costs, level)
    lines = [
        f"Estimated cost at complexity **{level.value}**" + ("" if decision or req.inv.args else " (not routed yet: assuming standard)") + ":",
        "",
        "| tier | model | a task | expected, escalating from it | vs no routing |",
        "|---|---|---:|---:|---:|",
    ]
    for tier, model, _est in rows:
        tier = Tier(tier)
        mark = " ← routed" if decision and decision.tier is tier else ""
        task, expected = tasks[tier]
        delta = ("+" if expected >= no_routing else "−") + money(abs(expected - no_routing))
        lines.append(f"| {tier.value}{mark} | `{model}` | {money(task)} | {money(expected)} | {delta} |")
    lines += ["", f"A task is {tokens.input_tokens:,} input and {tokens.output_tokens:,} output tokens × the tier's turn "
              "multiplier (public per-task priors: a cheaper model takes more turns) at the tier's price; a failed try escalates up "
              f"`executor.escalation`. No routing (Sonnet, then Opus) is expected to cost {money(no_routing)}."]
    if decision is not None and decision.phases:
        lines += [
            "",
            f"Routed as phases: {phases_line(decision)} — {money(decision.estimated_cost_usd)} in all, vs "
            f"{money(decision.baseline_cost_usd)} without routing (Sonnet, then Opus, expected; the other phases on Sonnet).",
        ]
    rated = [(run, shown) for run in ctx.store.dispatches(ctx.repo, req.number) if (shown := score(run))]
    if rated:
        lines += ["", "Scored by people (`/rate`): " + "; ".join(
            f"attempt {run.attempt} on {safe(run.tier, 20)} rated **{shown}**" for run, shown in rated) + "."]
    return CommandReply(body="\n".join(lines))
