"""`/rate <1-5> [note]`: a person with write access scores the issue's latest executor run (on a run's PR: that run)."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.context import Context
from bot.runs.rating import rate, score_of
from bot.untrusted import fenced

USAGE = "/rate <1-5> [note]"


@command(
    "rate",
    usage=USAGE,
    description="Score the issue's latest executor run (on a run's pull request: that run) from 1 (poor) to 5 "
    "(excellent), with an optional note; one score per run, a later `/rate` replaces it.",
    who="write",
    examples=("/rate 4", "/rate 2 missed the empty-list case"),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    score = score_of(req.inv.args[0] if req.inv.args else None)
    if score is None:
        return CommandReply(body=f"Usage: `{USAGE}`: a whole number from 1 (poor) to 5 (excellent), then an "
                                 "optional note, e.g. `/rate 4 clean fix`. Nothing was recorded.", reaction="confused")
    res = rate(ctx, req.number, score=score, by=req.sender, note=" ".join(req.inv.args[1:]), pull=req.is_pull_request)
    out = res.outputs
    if res.action == "refused":
        return CommandReply(body=f"Run `{out['dispatch_id']}` (attempt {out['attempt']} on {out['tier']}) ended before "
                                 "its agent ran, so there is nothing to score; nothing was recorded. `/dispatch` runs "
                                 "it again.", reaction="confused")
    if res.action != "rated" and req.is_pull_request:
        return CommandReply(body="No executor run opened this pull request: comment `/rate` on the issue whose run it "
                                 "scores.", reaction="confused")
    if res.action != "rated":
        return CommandReply(body="There is no executor run to rate on this issue yet (`/dispatch` starts one).",
                            reaction="confused")
    lines = [f"Recorded **{score}/5** for run `{out['dispatch_id']}` (attempt {out['attempt']} on {out['tier']})."]
    if out["earlier_score"]:
        lines.append(f"It replaces the earlier {out['earlier_score']}/5: one score per run, the latest counts.")
    if out["note"]:
        lines += ["", "Note:", fenced(out["note"])]
    return CommandReply(body="\n".join(lines), reaction="+1")
