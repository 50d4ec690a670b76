"""Action start-up: cold (fresh runner, empty caches) and warm (the environment restored) — numbers for docs, never tests.

    .venv/bin/python benchmarks/bench_action_start.py [--rounds N] [--json]

Runs action.yml's own step scripts with bash, as the runner does, for an `issues.opened` event against the
offline GitHub simulator: locate → install → run. Cold: a new HOME (so no ~/.cache/model-router, no uv cache),
pip with no cache and no local wheelhouse (packages come from PyPI), no uv on PATH (it is bootstrapped from
PyPI with the hashes in requirements/uv.txt). Warm: the same HOME again, i.e. what actions/cache restores.
The time runs from the first step's start until the routed issue has its labels and comment. `--baseline`
also times, interleaved in the same rounds, the install this replaced (`python -m venv` + `pip install` of
the whole package, no cache): on a shared machine the ratio is steadier than the absolute numbers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.simulator.github import FakeGitHub  # noqa: E402
from bot.simulator.openapi import DATA, DEFAULT_SPEC  # noqa: E402

STEPS = ("Locate model-router's environment", "Install model-router", "Run model-router")
BASELINE = (  # the install step before the lock, uv and the core-only dependency set
    'python3 -m venv "$MR_VENV" && "$MR_VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q "$MR_SOURCE"'
    ' && echo "dir=$MR_VENV" >> "$GITHUB_OUTPUT" && echo "python=$MR_VENV/bin/python" >> "$GITHUB_OUTPUT"'
)


def _steps() -> dict[str, dict]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return {s["name"]: s for s in action["runs"]["steps"] if s.get("name") in STEPS}


def _payload() -> dict:
    with gzip.open(DATA / "webhook-examples.json.gz", "rt", encoding="utf-8") as f:
        examples = {e["name"]: e["examples"] for e in json.load(f)}
    return next(e for e in examples["issues"] if e.get("action") == "opened")


def _clean_env(home: Path, tmp: Path) -> dict[str, str]:
    """A runner-like environment: nothing cached, nothing of this machine's pip set-up, no uv on PATH."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("PIP_", "UV_", "GITHUB_", "INPUT_", "RUNNER_", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"))}
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if not (Path(p) / "uv").exists()]
    keep.update(
        HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), PATH=os.pathsep.join(path),
        PIP_NO_CACHE_DIR="1", PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", RUNNER_TEMP=str(tmp),
    )
    return keep


def _child_cpu() -> float:
    """CPU seconds of finished child processes (user + system): unlike wall time, waiting for a busy core does not add to it."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _read_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT: `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks."""
    out, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            for more in lines:
                if more == delim:
                    break
                value.append(more)
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
    return out


def one_start(fake: FakeGitHub, home: Path, work: Path, payload: dict, number: int, *, baseline: bool = False) -> dict[str, float]:
    """Run the three steps once; seconds per step and in total."""
    steps = _steps()
    if baseline:
        steps = {"Locate model-router's environment": {"run": "true"}, "Install model-router": {"run": BASELINE},
                 "Run model-router": steps["Run model-router"]}
    event = dict(payload, issue=dict(payload["issue"], number=number))
    fake.seed_payload(event)
    event_file = work / "event.json"
    event_file.write_text(json.dumps(event))
    env = _clean_env(home, work)
    outputs: dict[str, str] = {}
    times: dict[str, float] = {}
    start, cpu0 = time.perf_counter(), _child_cpu()
    for name in STEPS:
        out = work / "output"
        out.write_text("")
        step_env = dict(env, GITHUB_OUTPUT=str(out), GITHUB_STEP_SUMMARY=str(work / "summary.md"))
        step_env.update(MR_SOURCE=str(ROOT), MR_PYTHON="python3", MR_VENV=outputs.get("dir", str(home / "baseline-venv")),
                        MR_VENV_PYTHON=outputs.get("python", ""))
        if name == "Run model-router":
            step_env.update(GITHUB_EVENT_NAME="issues", GITHUB_EVENT_PATH=str(event_file), GITHUB_API_URL=fake.url,
                            GITHUB_REPOSITORY=event["repository"]["full_name"], INPUT_GITHUB_TOKEN="ghs_bench",
                            INPUT_MODE="auto", GITHUB_WORKSPACE=str(work))
        t0 = time.perf_counter()
        proc = subprocess.run(["bash", "-e", "-c", steps[name]["run"]], env=step_env, cwd=work, capture_output=True, text=True)
        times[name] = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"step {name!r} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        outputs.update(_read_outputs(out.read_text()))
    times["total"] = time.perf_counter() - start
    times["cpu"] = _child_cpu() - cpu0
    assert outputs.get("result") == "routed", outputs
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold + warm pairs (default 3)")
    parser.add_argument("--baseline", action="store_true", help="also time the pip install this replaced")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    payload = _payload()
    cold, warm, sizes, base_cold = [], [], [], []
    with FakeGitHub(DEFAULT_SPEC) as fake:
        for i in range(args.rounds):
            base = Path(tempfile.mkdtemp(prefix="mr-bench-action-"))
            try:
                home, work = base / "home", base / "work"
                home.mkdir()
                work.mkdir()
                cold.append(one_start(fake, home, work, payload, 100 + 2 * i))
                warm.append(one_start(fake, home, work, payload, 101 + 2 * i))
                env_dir = next((home / ".cache" / "model-router").glob("venv-*"))
                sizes.append(sum(f.stat().st_size for f in env_dir.rglob("*") if f.is_file()) / 1e6)
                if args.baseline:
                    (base / "home2").mkdir()
                    base_cold.append(one_start(fake, base / "home2", work, payload, 1000 + i, baseline=True))
            finally:
                shutil.rmtree(base, ignore_errors=True)
        assert not fake.violations, fake.violations
    report = {
        "rounds": args.rounds,
        "cold_total_s": [round(t["total"], 2) for t in cold],
        "cold_cpu_s": [round(t["cpu"], 2) for t in cold],
        "warm_cpu_s": [round(t["cpu"], 2) for t in warm],
        "cold_install_s": [round(t["Install model-router"], 2) for t in cold],
        "cold_run_s": [round(t["Run model-router"], 2) for t in cold],
        "warm_total_s": [round(t["total"], 2) for t in warm],
        "warm_run_s": [round(t["Run model-router"], 2) for t in warm],
        "environment_mb": round(statistics.median(sizes), 1),
        "baseline_cold_total_s": [round(t["total"], 2) for t in base_cold],
        "baseline_cold_cpu_s": [round(t["cpu"], 2) for t in base_cold],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(report))
        return 0
    med = statistics.median
    print(f"Action start-up, {args.rounds} rounds (load average {report['load_average']}):")
    print(f"  cold (fresh runner, empty caches): median {med(report['cold_total_s']):.2f} s "
          f"{report['cold_total_s']}, min {min(report['cold_total_s']):.2f} s — install {med(report['cold_install_s']):.2f} s, "
          f"first run {med(report['cold_run_s']):.2f} s; CPU {med(report['cold_cpu_s']):.2f} s")
    print(f"  warm (environment restored):       median {med(report['warm_total_s']):.2f} s {report['warm_total_s']}, "
          f"min {min(report['warm_total_s']):.2f} s; CPU {med(report['warm_cpu_s']):.2f} s")
    print(f"  environment to cache: {report['environment_mb']} MB")
    if base_cold:
        ratios = [b["total"] / c["total"] for b, c in zip(base_cold, cold)]
        print(f"  baseline (venv + pip install of the whole package), cold: median {med(report['baseline_cold_total_s']):.2f} s "
              f"{report['baseline_cold_total_s']}, CPU {med(report['baseline_cold_cpu_s']):.2f} s; {med(ratios):.1f}x the new cold start (per-round ratios "
              f"{', '.join(f'{r:.1f}' for r in ratios)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
