"""Synthetic replay streams for `model-router eval --replay`: per issue, what haiku, sonnet and opus would have
done (success and cost). Lines also carry `category` and `true_success`, which the router never reads (the
replay's `category_oracle` uses the category).

Profiles (`--profile`):
- `tiers` (default): generated; shaped after properties reported for real agent outcomes (issue #22). Per-task cost ratios near 1 : 2 : 2.3
  (`--opus-cheap`: Opus 1.7, cheaper per task than Sonnet), ~20 % of issues no tier resolves, outcomes
  that are not nested (a Gaussian copula, correlation RHO: Haiku resolves some issues Sonnet misses), and
  kinds of work that only the text reveals (titles no pattern rule matches). Failed runs cost more.
- `swe`: one agent on SWE-bench-like issues, calibrated to the published SWE-bench Verified aggregates
  (mini-SWE-agent: Haiku 4.5 66.6 % at $0.33, Sonnet 4.5 71.4 % at $0.66, Opus 4.5 76.8 % at $0.75, 19 %
  unsolved; `--opus-cheap`: Opus 4.6, 75.6 % at $0.55). Synthetic: per-instance outcomes are not bundled.
- `nested`: the old stream (list-price ratios ≈ 1/20 : 1 : 2, one draw per issue, outcomes nested).

Run: .venv/bin/python benchmarks/gen_replay.py [--issues N] [--seed S] [--profile P] [--opus-cheap] > stream.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from statistics import NormalDist
from typing import Any

REPOS = ["acme/web", "acme/api", "acme/infra", "acme/ml"]

# Sonnet's cost of one execute run per complexity (the catalog's token estimates × sonnet prices).
SONNET_COST = {"trivial": 0.031, "simple": 0.11, "standard": 0.39, "complex": 1.2}
PRICE_RATIO = {"haiku": 0.05, "sonnet": 1.0, "opus": 2.0}

# category: weight, complexity, title templates, labels, true success per tier ({repo: (haiku, sonnet, opus)},
# "*" for every other repository)
CATEGORIES: dict[str, dict[str, Any]] = {
    "docs": {
        "weight": 12, "complexity": "trivial", "labels": ["documentation"],
        "titles": ["Update the README section on {thing}", "Document the {thing} option in the README",
                   "Fix broken link in the {thing} docs", "Add docstrings to the {thing} module"],
        "success": {"*": (0.97, 0.99, 0.99)},
    },
    "typo": {
        "weight": 7, "complexity": "trivial", "labels": [],
        "titles": ["Fix typo in the {thing} page", "Spelling mistakes in {thing} error messages"],
        "success": {"*": (0.98, 0.99, 0.99)},
    },
    "deps": {
        "weight": 10, "complexity": "trivial", "labels": ["dependencies"],
        "titles": ["Bump {lib} from {v1} to {v2}", "Update dependency {lib} to {v2}"],
        "success": {"acme/infra": (0.62, 0.9, 0.95), "*": (0.95, 0.98, 0.99)},
    },
    "bugfix": {
        "weight": 20, "complexity": "simple", "labels": ["bug"],
        "titles": ["{thing} shows the wrong {field} after saving", "Crash when {thing} is empty",
                   "{thing} list is not sorted by {field}", "Wrong {field} in the {thing} export"],
        "success": {"acme/web": (0.93, 0.97, 0.98), "acme/ml": (0.91, 0.96, 0.98),
                    "acme/api": (0.72, 0.95, 0.97), "*": (0.55, 0.93, 0.97)},
    },
    "feature": {
        "weight": 15, "complexity": "standard", "labels": ["enhancement"],
        "titles": ["Add {field} filter to the {thing} list", "Support {field} in the {thing} API",
                   "Allow exporting {thing} as CSV", "Let users archive a {thing}"],
        "success": {"acme/api": (0.92, 0.96, 0.98), "acme/web": (0.9, 0.95, 0.97), "*": (0.58, 0.93, 0.97)},
    },
    "refactor": {
        "weight": 8, "complexity": "standard", "labels": [],
        "titles": ["Refactor the {thing} module into smaller functions", "Extract {thing} helpers and decouple them"],
        "success": {"acme/web": (0.9, 0.95, 0.97), "acme/ml": (0.91, 0.95, 0.97), "*": (0.6, 0.92, 0.96)},
    },
    "performance": {
        "weight": 5, "complexity": "standard", "labels": ["performance"],
        "titles": ["Slow query on the {thing} page", "Optimize {thing} loading latency"],
        "success": {"*": (0.5, 0.88, 0.95)},
    },
    "concurrency": {
        "weight": 3, "complexity": "complex", "labels": ["bug"],
        "titles": ["Race condition when two workers update the same {thing}", "Deadlock in the {thing} scheduler"],
        "success": {"*": (0.4, 0.87, 0.95)},
    },
    "security": {
        "weight": 8, "complexity": "standard", "labels": ["security"],
        "titles": ["Add rate limiting to the {thing} endpoint", "Store {thing} API keys encrypted at rest",
                   "Path traversal in the {thing} download handler", "Remove hard-coded credentials from {thing}",
                   "Bump bcrypt cost factor for {thing} passwords"],
        "success": {"*": (0.5, 0.9, 0.97)},
    },
    "ui": {
        "weight": 12, "complexity": "simple", "labels": ["ui"],
        "titles": ["{thing} button is misaligned on mobile", "Dark mode colours are off on the {thing} page",
                   "{thing} tooltip is cut off"],
        "success": {"acme/web": (0.94, 0.97, 0.98), "*": (0.7, 0.95, 0.97)},
    },
}
THINGS = ["invoice", "project", "user", "report", "dashboard", "webhook", "job", "team", "upload", "comment",
          "search", "settings", "notification", "export", "schedule", "tag"]
FIELDS = ["date", "owner", "status", "name", "size", "priority", "region"]
LIBS = ["requests", "lodash", "pydantic", "react", "urllib3", "terraform-aws", "numpy", "axios"]
BODY = ["Seen by two customers this week.", "Steps to reproduce are in the linked thread.",
        "Low priority but annoying.", "Should be a small change.", "The current behaviour surprises users.", ""]


def true_success(category: str, repo: str) -> dict[str, float]:
    rates = CATEGORIES[category]["success"]
    h, s, o = rates.get(repo, rates["*"])
    return {"haiku": h, "sonnet": s, "opus": o}


def _nested(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    names = list(CATEGORIES)
    weights = [CATEGORIES[c]["weight"] for c in names]
    lines = []
    for i in range(n):
        cat = rng.choices(names, weights)[0]
        spec = CATEGORIES[cat]
        repo = rng.choice(REPOS)
        title = rng.choice(spec["titles"]).format(
            thing=rng.choice(THINGS), field=rng.choice(FIELDS), lib=rng.choice(LIBS),
            v1=f"{rng.randint(1, 4)}.{rng.randint(0, 9)}", v2=f"{rng.randint(5, 9)}.{rng.randint(0, 9)}")
        labels = list(spec["labels"]) if rng.random() < 0.8 else []  # some issues go unlabelled
        rates = true_success(cat, repo)
        draw = rng.random()  # one draw: outcomes are nested across tiers
        base = SONNET_COST[spec["complexity"]] * math.exp(rng.gauss(0, 0.3))
        outcomes = {}
        for tier, p in rates.items():
            ok = draw < p
            cost = base * PRICE_RATIO[tier] * math.exp(rng.gauss(0, 0.15)) * (1.0 if ok else 1.4)
            outcomes[tier] = {"success": ok, "cost_usd": round(cost, 6)}
        lines.append({"id": i + 1, "title": title[:1].upper() + title[1:], "body": rng.choice(BODY),
                      "labels": labels, "repo": repo, "outcomes": outcomes, "category": cat,
                      "true_success": rates})
    return lines


# The `tiers` profile. kind: weight, base cost (USD of a haiku run), unsolved share, success of haiku, sonnet,
# opus on the issues some tier can solve, titles (those in kinds marked * match no pattern rule).
TIER_COST = {"haiku": 1.0, "sonnet": 2.0, "opus": 2.3}
OPUS_CHEAP = 1.7
FAIL_COST = 1.3  # a failed run goes on longer
RHO = 0.6
KINDS: dict[str, dict[str, Any]] = {
    "docs": {"weight": 10, "cost": 0.05, "unsolved": 0.03, "success": (0.97, 0.98, 0.98), "labels": ["documentation"],
             "titles": ["Update the README section on {thing}", "Fix broken link in the {thing} docs"]},
    "text": {"weight": 8, "cost": 0.05, "unsolved": 0.03, "success": (0.95, 0.97, 0.97), "labels": [],
             "titles": ["Update text on the {thing} page", "Update the text of the {thing} email"]},
    "bug*": {"weight": 20, "cost": 0.2, "unsolved": 0.15, "success": (0.82, 0.86, 0.92), "labels": ["bug"],
             "titles": ["{thing} shows the wrong {field} after saving", "Wrong {field} in the {thing} export",
                        "Crash when {thing} is empty"]},
    "feature*": {"weight": 18, "cost": 0.3, "unsolved": 0.2, "success": (0.62, 0.84, 0.93), "labels": ["enhancement"],
                 "titles": ["Add {field} filter to the {thing} list", "Allow exporting {thing} as CSV"]},
    "refactor": {"weight": 10, "cost": 0.3, "unsolved": 0.15, "success": (0.6, 0.85, 0.9), "labels": [],
                 "titles": ["Refactor the {thing} module into smaller functions"]},
    "performance": {"weight": 8, "cost": 0.35, "unsolved": 0.25, "success": (0.45, 0.75, 0.9), "labels": [],
                    "titles": ["Slow query on the {thing} page", "Optimize {thing} loading latency"]},
    "flaky*": {"weight": 10, "cost": 0.4, "unsolved": 0.3, "success": (0.3, 0.55, 0.85), "labels": [],
               "titles": ["Intermittent {thing} sync failures under load", "{thing} totals drift after a retry"]},
    "security": {"weight": 8, "cost": 0.3, "unsolved": 0.15, "success": (0.5, 0.85, 0.93), "labels": ["security"],
                 "titles": ["Add rate limiting to the {thing} endpoint", "Path traversal in the {thing} download"]},
    "concurrency": {"weight": 8, "cost": 0.4, "unsolved": 0.3, "success": (0.3, 0.6, 0.85), "labels": [],
                    "titles": ["Race condition when two workers update the same {thing}"]},
}
# The `swe` profile: 19 % unsolved; on the rest, the published resolve rates / 0.81; costs per attempt in USD.
SWE = {"unsolved": 0.19, "success": (0.822, 0.881, 0.948), "cost": (0.33, 0.66, 0.75), "rho": 0.9}
SWE_OPUS_46 = {"success": 0.933, "cost": 0.55}
SWE_REPOS = {"django/django": 46, "sympy/sympy": 15, "sphinx-doc/sphinx": 9, "matplotlib/matplotlib": 7,
             "scikit-learn/scikit-learn": 6, "pydata/xarray": 4, "pytest-dev/pytest": 4, "astropy/astropy": 4,
             "pylint-dev/pylint": 2, "psf/requests": 2, "mwaskom/seaborn": 1}
_N = NormalDist()


def _draw(rng: random.Random, unsolved: float, success: tuple[float, ...], rho: float) -> list[bool]:
    """Per-tier outcomes: none on an unsolvable issue, else correlated through one latent draw, not nested."""
    if rng.random() < unsolved:
        return [False] * len(success)
    z = rng.gauss(0, 1)
    return [rho * z + math.sqrt(1 - rho * rho) * rng.gauss(0, 1) < _N.inv_cdf(p) for p in success]


def _line(i: int, rng: random.Random, title: str, repo: str, labels: list[str], ok: list[bool],
          costs: list[float], category: str, true: tuple[float, ...], unsolved: float) -> dict[str, Any]:
    size = math.exp(rng.gauss(0, 0.3))
    outcomes = {t: {"success": s, "cost_usd": round(c * size * math.exp(rng.gauss(0, 0.15)) * (1.0 if s else FAIL_COST), 6)}
                for t, s, c in zip(("haiku", "sonnet", "opus"), ok, costs)}
    return {"id": i + 1, "title": title[:1].upper() + title[1:], "body": rng.choice(BODY), "labels": labels,
            "repo": repo, "outcomes": outcomes, "category": category,
            "true_success": {t: round(p * (1 - unsolved), 4) for t, p in zip(("haiku", "sonnet", "opus"), true)}}


def _tiers(n: int, seed: int, opus_cheap: bool) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    names = list(KINDS)
    ratio = [TIER_COST["haiku"], TIER_COST["sonnet"], OPUS_CHEAP if opus_cheap else TIER_COST["opus"]]
    lines = []
    for i in range(n):
        kind = rng.choices(names, [KINDS[k]["weight"] for k in names])[0]
        spec = KINDS[kind]
        title = rng.choice(spec["titles"]).format(thing=rng.choice(THINGS), field=rng.choice(FIELDS))
        labels = list(spec["labels"]) if rng.random() < 0.5 else []
        ok = _draw(rng, spec["unsolved"], spec["success"], RHO)
        lines.append(_line(i, rng, title, rng.choice(REPOS), labels, ok, [spec["cost"] * r / 2 for r in ratio],
                           kind.rstrip("*"), spec["success"], spec["unsolved"]))
    return lines


def _swe(n: int, seed: int, opus_cheap: bool) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    success, cost = list(SWE["success"]), list(SWE["cost"])
    if opus_cheap:
        success[2], cost[2] = SWE_OPUS_46["success"], SWE_OPUS_46["cost"]
    repos = list(SWE_REPOS)
    solved = [p * (1 - SWE["unsolved"]) for p in success]  # the published means include failed runs (× FAIL_COST)
    means = [c / (p + (1 - p) * FAIL_COST) for c, p in zip(cost, solved)]
    lines = []
    for i in range(n):
        repo = rng.choices(repos, list(SWE_REPOS.values()))[0]
        title = f"{rng.choice(THINGS)} {rng.choice(['returns the wrong', 'ignores the', 'fails on an empty'])} " \
                f"{rng.choice(FIELDS)}"
        ok = _draw(rng, SWE["unsolved"], tuple(success), SWE["rho"])
        lines.append(_line(i, rng, title, repo, [], ok, means, repo.split("/")[1], tuple(success), SWE["unsolved"]))
    return lines


def generate(n: int, seed: int = 11, profile: str = "tiers", opus_cheap: bool = False) -> list[dict[str, Any]]:
    """`n` replay lines of the given profile (see the module's docstring)."""
    if profile == "nested":
        return _nested(n, seed)
    return (_swe if profile == "swe" else _tiers)(n, seed, opus_cheap)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issues", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--profile", choices=("tiers", "swe", "nested"), default="tiers")
    ap.add_argument("--opus-cheap", action="store_true", help="the top tier costs less per task than the middle one")
    args = ap.parse_args(argv)
    out = sys.stdout
    for line in generate(args.issues, args.seed, args.profile, args.opus_cheap):
        out.write(json.dumps(line) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
