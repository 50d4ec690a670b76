"""benchmarks/real_outcomes.py: public per-run SWE-bench Pro rows become `eval --replay` lines (synthetic rows
here; the real file is not bundled)."""

from __future__ import annotations

import csv
import io
import json
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.routing.replay import parse_line

REPO = Path(__file__).resolve().parents[1]
HEADER = "agent_run_id,metadata.instance_id,metadata.model_name,metadata.resolved,metadata.turns,tag,created_at\n"
ID_A = "instance_tutao__tutanota-fb32e5f9d9fc152a00144d56dd0af01760a2d4dc-vc4e41fd0029957297843cb9dec4a25c7c756f029"
ID_B = "instance_element-hq__element-web-33e8edb3d508d6eefb354819ca693b7accc695e7"
ROWS = f"""r1,{ID_A},Claude 4.5 Haiku -- 10222025,true,10,,"Oct 22, 2025, 1:00 PM UTC"
r2,{ID_A},Claude 4.5 Sonnet - 10132025,false,20,,"Oct 13, 2025, 1:00 PM UTC"
r3,{ID_A},Claude Opus 4.1 - paper,true,5,,"Oct 13, 2025, 1:00 PM UTC"
r4,{ID_A},GPT-5 - 10132025,true,7,,"Oct 13, 2025, 1:00 PM UTC"
r5,{ID_B},Claude 4.5 Haiku -- 10222025,false,3,,"Oct 22, 2025, 1:00 PM UTC"
r6,{ID_B},Claude 4.5 Sonnet - 10132025,true,,,"Oct 13, 2025, 1:00 PM UTC"
r7,{ID_B},Claude Opus 4.1 - paper,FALSE,2,,"Oct 13, 2025, 1:00 PM UTC"
r8,instance_NodeBB__NodeBB-0123456789abcdef0123456789abcdef01234567,Claude Opus 4.1 - paper,true,9,,x
"""


@pytest.fixture(scope="module")
def ro() -> SimpleNamespace:
    return SimpleNamespace(**runpy.run_path(str(REPO / "benchmarks" / "real_outcomes.py")))


def test_one_line_per_instance_every_tier_ran_with_turns_priced_per_tier(ro: SimpleNamespace) -> None:
    lines = ro.convert(csv.DictReader(io.StringIO(HEADER + ROWS)))
    assert [x["id"] for x in lines] == [ID_A, ID_B]  # NodeBB: only opus ran; GPT-5 is no tier
    a, b = lines
    assert a["repo"] == a["category"] == "tutao/tutanota" and a["title"] == "tutao/tutanota task at fb32e5f9"
    assert b["repo"] == "element-hq/element-web"
    assert {t: o["success"] for t, o in a["outcomes"].items()} == {"haiku": True, "sonnet": False, "opus": True}
    assert a["outcomes"]["sonnet"]["cost_usd"] == pytest.approx(20 * ro.TURN_USD["sonnet"])
    assert b["outcomes"]["sonnet"] == {"success": True, "cost_usd": 0.0}  # no turns recorded
    assert b["outcomes"]["opus"]["success"] is False
    for i, x in enumerate(lines):
        parse_line(x, f"line {i + 1}")  # what `eval --replay` reads


def test_turn_prices_follow_list_prices_and_the_cli_can_reprice_opus(ro: SimpleNamespace, tmp_path: Path) -> None:
    t = ro.TURN_USD
    assert t["sonnet"] / t["haiku"] == pytest.approx(3) and t["opus"] / t["sonnet"] == pytest.approx(5, rel=1e-3)
    src = tmp_path / "runs.csv"
    src.write_text(HEADER + ROWS)
    out = io.StringIO()
    assert ro.main([str(src), "--opus-turn-usd", "0.2"], stdout=out) == 0
    first = json.loads(out.getvalue().splitlines()[0])
    assert first["outcomes"]["opus"]["cost_usd"] == pytest.approx(1.0)
