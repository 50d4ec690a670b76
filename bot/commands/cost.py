"""`/cost [complexity]`: what this task would cost on every tier."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.commands._shared import choices
from bot.context import Context
from bot.issues.render import money, phases_line, safe, score
from bot.models import Complexity, Tier
from bot.routing import cost_table


@command(
    "cost",
    usage="/cost [trivial|simple|standard|complex]",
    description="Show the estimated cost of this task on every tier (at its routed complexity by default), and its runs' `/rate` scores.",
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
    sonnet = next((est.usd for tier, _m, est in rows if Tier(tier) is Tier.sonnet), None)
    lines = [
        f"Estimated cost at complexity **{level.value}**" + ("" if decision or req.inv.args else " (not routed yet: assuming standard)") + ":",
        "",
        "| tier | model | input tokens | output tokens | cost | vs all-Sonnet |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for tier, model, est in rows:
        tier = Tier(tier)
        mark = " ← routed" if decision and decision.tier is tier else ""
        delta = ("+" if est.usd >= sonnet else "−") + money(abs(est.usd - sonnet)) if sonnet is not None else "n/a"
        lines.append(f"| {tier.value}{mark} | `{model}` | {est.input_tokens:,} | {est.output_tokens:,} | {money(est.usd)} | {delta} |")
    if decision is not None and decision.phases:
        lines += [
            "",
            f"Routed as phases: {phases_line(decision)} — {money(decision.estimated_cost_usd)} in all, vs "
            f"{money(decision.baseline_cost_usd)} without routing (Sonnet, then Opus, expected; the same other phases).",
        ]
    rated = [(run, shown) for run in ctx.store.dispatches(ctx.repo, req.number) if (shown := score(run))]
    if rated:
        lines += ["", "Scored by people (`/rate`): " + "; ".join(
            f"attempt {run.attempt} on {safe(run.tier, 20)} rated **{shown}**" for run, shown in rated) + "."]
    return CommandReply(body="\n".join(lines))
