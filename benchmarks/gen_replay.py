"""A realistic synthetic replay stream for `model-router eval --replay`: kinds of work whose true success per
tier differs by repository, with per-issue outcomes and costs.

Each line says what haiku, sonnet and opus would have done on that issue (success and cost), drawn from the
category's true success rates in its repository; one uniform draw per issue makes outcomes nested (work that
defeats sonnet usually defeats haiku too). Lines also carry `category` and `true_success`, which the router
never reads: the replay uses them for the `category_oracle` baseline. Costs follow the catalog's relative
prices (haiku ≈ 1/20 of sonnet, opus 2×) around the token estimates per complexity, with noise; failed
runs cost more (they run longer).

Run: .venv/bin/python benchmarks/gen_replay.py [--issues N] [--seed S] > stream.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
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


def generate(n: int, seed: int = 11) -> list[dict[str, Any]]:
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issues", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    out = sys.stdout
    for line in generate(args.issues, args.seed):
        out.write(json.dumps(line) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
