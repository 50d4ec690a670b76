"""Tiers are data: the catalog names them, `bot.models.Tier` is made from it, and the rest of bot/ derives from that.

A tier is "listed" in a file when a string literal is exactly a tier's name, a string lists two tier names
(`haiku|sonnet|opus`, `(haiku, sonnet, opus)`), a tuple/list/set displays two `Tier.<name>` members, or a class
declares a field per tier. Prose that mentions one tier (a policy: "Sonnet plans", an example `/model sonnet`)
is not a listing. The second half loads a catalog with a fourth tier whose top tier is cheaper than the one
below it, in a copy of the package, and shows counts, report, usage and schema follow with no code change.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from bot.catalog_file import tier_names

BOT = Path(__file__).resolve().parents[1] / "bot"
OUTSIDE = ("data", "simulator")  # the catalog itself; the offline GitHub/demo (tests and demo only)


def _listing(names: list[str]) -> re.Pattern[str]:
    """Two names joined by `|` or `or`, or three in a row (`haiku, sonnet, opus`, `haiku, sonnet or opus`)."""
    name = rf"\b(?:{'|'.join(map(re.escape, names))})\b"
    return re.compile(rf"{name}\s*(?:\||\bor\b)\s*{name}|{name}\s*,\s*{name}\s*(?:,|\bor\b)\s*{name}",
                      re.IGNORECASE)


def listings(tree: ast.AST, names: list[str]) -> list[str]:
    """Where one module lists tiers (see the module docstring), as `line: what`."""
    found, pattern = [], _listing(names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in names or pattern.search(node.value):
                found.append(f"{node.lineno}: {node.value[:60]!r}")
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            members = [e.attr for e in node.elts if isinstance(e, ast.Attribute) and e.attr in names]
            if len(set(members)) >= 2:
                found.append(f"{node.lineno}: a display of {members}")
        elif isinstance(node, ast.ClassDef):
            fields = {t.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(t := s.target, ast.Name)}
            if len(fields & set(names)) >= 2:
                found.append(f"{node.lineno}: class {node.name} has a field per tier")
    return found


def places(root: Path = BOT, names: list[str] | None = None) -> dict[str, list[str]]:
    """bot/**/*.py files (but bot/data, bot/simulator) that list the tier names, with where."""
    names = names or tier_names()
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in OUTSIDE:
            continue
        hits = listings(ast.parse(path.read_text(encoding="utf-8")), names)
        if hits:
            out[str(rel)] = hits
    return out


def test_the_tier_names_are_listed_in_at_most_two_places():
    found = places()
    assert len(found) <= 2, f"tier names listed in {len(found)} places: {json.dumps(found, indent=1)}"


def test_the_count_sees_a_listing():
    names = ["haiku", "sonnet", "opus"]
    code = ('TIERS = ("haiku", "sonnet", "opus")\nusage = "/model haiku|sonnet|opus"\n'
            "ladder = [Tier.haiku, Tier.sonnet]\nclass T:\n    haiku: int = 0\n    sonnet: int = 0\n"
            'policy = "Sonnet plans, Haiku executes"\nexample = "/model sonnet"\n')
    hits = listings(ast.parse(code), names)
    assert [h.split(":")[0] for h in hits].count("1") == 3 and len(hits) == 6, hits


FOUR_TIERS = """\
as_of: 2099-01-01
tiers:
  haiku: claude-haiku-5-5
  sonnet: claude-sonnet-5-5
  opus: claude-opus-5-5
  mythos: claude-mythos-1
"""

PROBE = r'''
import io, json, contextlib
from sqlalchemy import create_engine
from bot.catalog import load_catalog, price_for
from bot.cli import main
from bot.commands import load_all
from bot.config import RepoConfig
from bot.config.jsonschema import text
from bot.issues.render import routing_comment
from bot.measures.definitions import classify, summary
from bot.models import Complexity, RoutingDecision, Strategy, Tier
from bot.store.issues import IssueStore

tiers = [t.value for t in Tier]
url = "sqlite:///" + __import__("sys").argv[1]
store = IssueStore(create_engine(url))
for n, tier in enumerate(["haiku", "mythos", "mythos", "opus"], 1):
    d = RoutingDecision(tier=Tier(tier), model="m", complexity=Complexity.simple, confidence=0.9,
                        strategy=Strategy.pattern, rationale="r", estimated_cost_usd=0.1, baseline_cost_usd=0.3,
                        savings_usd=0.2)
    store.record_decision("o/r", n, d)
out = {}
for args in (["report", "--json"], ["report", "--by", "tier"], ["report", "--by", "repo", "--csv"]):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main([*args, "--database-url", url])
    out[" ".join(args)] = buf.getvalue()
out["tiers"] = tiers
out["cheaper_top"] = price_for(load_catalog().tiers[Tier.mythos]).input < price_for(load_catalog().tiers[Tier.opus]).input
out["classify"] = summary(classify({"tier": "mythos"}))["tiers"]
out["usage"] = sorted(c.usage for c in load_all().values() if c.name in ("model", "dispatch"))
out["labels"] = sorted(v.value for v in RepoConfig().labels.model)
out["escalation"] = [t.value for t in RepoConfig().executor.escalation]
out["schema_tiers"] = json.loads(text())["$defs"]["Tier"]["enum"]
out["comment"] = routing_comment(d)
print(json.dumps(out))
'''


def _with_catalog(tmp_path: Path, catalog: str) -> dict:
    """Run PROBE against a copy of the package whose newest dated catalog is `catalog` (a data change only)."""
    copy = tmp_path / "src"
    shutil.copytree(BOT, copy / "bot", ignore=shutil.ignore_patterns("__pycache__", "simulator", "*.json"))
    for name in ("model-router.schema.json", "model-router-plan.schema.json", "webhook-schemas.json"):
        shutil.copy(BOT / "data" / name, copy / "bot" / "data" / name)
    current = yaml.safe_load(sorted((BOT / "data").glob("catalog-*.yaml"))[-1].read_text(encoding="utf-8"))
    new = yaml.safe_load(catalog)
    models = dict(current["models"])
    opus = models[current["tiers"]["opus"]]
    models["claude-mythos-1"] = {**opus, "tier": "mythos", "price": {k: v / 2 for k, v in opus["price"].items()}}
    (copy / "bot" / "data" / "catalog-2099-01-01.yaml").write_text(yaml.safe_dump({**new, "models": models}, sort_keys=False))
    proc = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "s.db")], cwd=copy, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


def test_a_fourth_tier_cheaper_than_the_one_below_needs_no_code_change(tmp_path):
    out = _with_catalog(tmp_path, FOUR_TIERS)
    assert out["tiers"] == ["haiku", "sonnet", "opus", "mythos"] and out["cheaper_top"]
    report = json.loads(out["report --json"])
    assert report["tiers"] == {"haiku": 1, "sonnet": 0, "opus": 1, "mythos": 2}
    text = out["report --by tier"]
    assert "4 routed issue(s) (haiku 1, sonnet 0, opus 1, mythos 2)" in text
    assert re.search(r"tier\s+issues\s+haiku\s+sonnet\s+opus\s+mythos", text)
    assert out["report --by repo --csv"].splitlines()[0].startswith("repo,issues,haiku,sonnet,opus,mythos,")
    assert out["classify"] == {"haiku": 0, "sonnet": 0, "opus": 0, "mythos": 1}
    assert out["usage"] == ["/dispatch [haiku|sonnet|opus|mythos]", "/model haiku|sonnet|opus|mythos"]
    assert out["labels"] == ["haiku", "mythos", "opus", "sonnet"]
    assert out["escalation"] == ["haiku", "sonnet", "opus", "mythos"]
    assert out["schema_tiers"] == ["haiku", "sonnet", "opus", "mythos"]
    assert "`model:mythos`" in out["comment"]
