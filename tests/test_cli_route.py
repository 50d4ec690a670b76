"""`model-router route|explain|eval`: a few runs through the real console script, the rest in-process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.models import ClassifierResult, Complexity, Tier
from bot.simulator.anthropic import FakeAnthropic

REPO = Path(__file__).resolve().parents[1]
SCRIPT = str(Path(sys.executable).parent / "model-router")
SAMPLES = str(REPO / "bot" / "data" / "samples.jsonl")
KEYS = {"tier", "model", "complexity", "confidence", "strategy", "rationale", "estimated_cost_usd",
        "baseline_cost_usd"}


def run(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return subprocess.run([SCRIPT, *args], input=stdin, capture_output=True, timeout=60, cwd=REPO,
                          env={**base, **(env or {})})


def one_line_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("model-router: ") and "Traceback" not in err
    return err


# ---- through the console script -----------------------------------------------------------------------
def test_route_flags_json_and_text() -> None:
    proc = run("route", "--title", "Fix typo in README", "--label", "docs", "--files", "1")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert KEYS <= set(out) and out["tier"] == "haiku" and out["strategy"] == "pattern"
    proc = run("route", "--title", "Refactor the parser", "--format", "text")
    assert proc.returncode == 0 and b"sonnet" in proc.stdout and b"because" in proc.stdout


def test_route_json_on_stdin_and_explain() -> None:
    proc = run("route", stdin=b'{"title": "Rotate keys", "labels": [{"name": "security"}], "files": ["a.py"]}')
    out = json.loads(proc.stdout)
    assert out["tier"] == "sonnet" and out["security_sensitive"] is True
    proc = run("explain", "--title", "Fix typo", "--label", "model:haiku", "--label", "security")
    assert proc.returncode == 0
    assert b"Raised to sonnet" in proc.stdout and b"* label 'model:haiku'" in proc.stdout


def test_jsonl_stops_cleanly_at_a_broken_line_or_goes_on() -> None:
    lines = b'{"title": "Fix typo"}\n{"title": "Broken", \n\n{"title": "Race condition", "files": 2}\n'
    proc = run("route", "--jsonl", stdin=lines)
    err = one_line_error(proc)
    assert "line 2: invalid JSON" in err and "--keep-going" in err
    assert [json.loads(x)["tier"] for x in proc.stdout.splitlines()] == ["haiku"]
    proc = run("route", "--jsonl", "--keep-going", stdin=lines)
    assert proc.returncode == 2 and b"line 2" in proc.stderr
    outs = [json.loads(x) for x in proc.stdout.splitlines()]
    # #22: a race condition (subtle) is executed by sonnet and reviewed by opus, never tried on haiku
    # (#11 had sonnet plan and haiku execute it)
    assert [o.get("tier", o.get("line")) for o in outs] == ["haiku", 2, "sonnet"]
    assert all(KEYS <= set(o) for o in outs if "tier" in o)
    assert [p["role"] for p in outs[2]["phases"]] == ["execute", "review"]
    assert outs[2]["estimated_cost_usd"] == pytest.approx(sum(p["estimated_cost_usd"] for p in outs[2]["phases"]))


def test_bad_input_is_one_line_exit_2() -> None:
    assert "names no tier" in one_line_error(run("route", "--title", "x", "--label", "model:gpt5"))
    assert "stdin: not UTF-8 (byte 11)" in one_line_error(run("route", stdin=b'{"title": "\xff\xfe"}'))
    assert "timout_seconds: unknown key (did you mean 'timeout_seconds'?)" in one_line_error(
        run("route", "--title", "x", "--config", "tests/fixtures/core/bad-config.yml"))


def test_eval_bundled_samples_json() -> None:
    proc = run("eval", SAMPLES, "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["issues"] == 13 and report["tier"]["labelled"] == 13
    assert report["tier"]["accuracy"] >= 0.9 and report["tier"]["under_routing_rate"] == 0
    assert set(report["cost_usd"]) == {"routed", "always_haiku", "always_sonnet", "always_opus"}
    # #22 item 4: each policy starts on its tier and escalates, priced per task (expected): haiku first is
    # cheapest; opus alone (1.14x Sonnet a task) is cheaper than Sonnet then Opus, not dearer as per token
    costs = report["cost_usd"]
    assert costs["always_haiku"] < costs["always_opus"] < costs["always_sonnet"]


def test_route_uses_the_classifier_when_a_key_is_set(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.reply_with(ClassifierResult(tier=Tier.opus, complexity=Complexity.complex, confidence=0.75))
    env = {"ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": fake_anthropic.url}
    out = json.loads(run("route", "--title", "Make onboarding smoother", env=env).stdout)
    # #11: the classifier's "opus" means opus reviews, sonnet executes
    assert (out["tier"], out["strategy"]) == ("sonnet", "llm")
    assert [p["tier"] for p in out["phases"]] == ["sonnet", "opus"]
    fake_anthropic.fail_next(500)
    out = json.loads(run("route", "--title", "Make onboarding smoother", env=env).stdout)
    assert out["strategy"] == "default" and "API error 500" in out["rationale"]
    assert len(fake_anthropic.requests) == 2
    assert json.loads(run("route", "--no-llm", "--title", "Make it nicer", env=env).stdout)["strategy"] == "default"
    assert len(fake_anthropic.requests) == 2


# ---- in-process (same code path, no interpreter start) --------------------------------------------------
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
        stdin: bytes = b"") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.chdir(REPO)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["route", "--title", ""], b"", "input: title: must not be empty"),
        (["route", "--title", "x", "--files", "many"], b"", "--files: expected a whole number"),
        (["route", "--title", "x", "--files", "-1"], b"", "--files: must not be negative"),
        (["route"], b'{"title": "x", "labels": "bug"}', "stdin: labels: labels must be a list of strings"),
        (["route"], b'{"title": "x", "labels": [1]}', "stdin: labels: label 1 is not a string"),
        (["route"], b'{"title": 5}', "stdin: title: must be a string"),
        (["route"], b'{"title": "x", "files": "3"}', "stdin: files: expected a number or a list of paths"),
        (["route"], b"[1, 2]", "stdin: expected a JSON object, got list"),
        (["route"], b"{", "stdin: invalid JSON"),
        (["route", "--jsonl", "--title", "x"], b"", "do not combine"),
        (["route", "--title", "x", "--config", "nope.yml"], b"", "--config nope.yml: no such file"),
        (["route", "--jsonl"], b'{"title": "a"}\n{"title": "b", "labels": ["complexity:huge"]}\n',
         "line 2: label 'complexity:huge' names no complexity"),
        (["route", "--jsonl"], b'{"title": "ok"}\n\xff\n', "line 2: not UTF-8 (byte 0)"),
        (["eval", "missing.jsonl"], b"", "missing.jsonl: No such file or directory"),
        (["eval", "-"], b'{"title": "a", "expected_tier": "gpt"}\n', "line 1: expected_tier: 'gpt' is not"),
        (["eval", "-"], b'{"title": "a"}\n', "line 1: needs expected_tier and/or expected_complexity"),
        (["eval", "-"], b"", "-: no labelled issues to score"),
    ],
)
def test_bad_input_messages(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                            argv: list[str], stdin: bytes, message: str) -> None:
    code, _, err = cli(monkeypatch, capsys, *argv, stdin=stdin)
    assert code == 2 and message in err and err.count("\n") == 1


def test_huge_body_is_routed_not_rejected(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    body = ("lorem ipsum " * 90_000 + " race condition").encode()  # > 1 MB; the tail is past the cap
    code, out, _ = cli(monkeypatch, capsys, "route", stdin=b'{"title": "Big", "body": "' + body + b'"}')
    assert code == 0 and json.loads(out)["strategy"] == "default"


def test_surrogate_arguments_are_rejected(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(monkeypatch, capsys, "route", "--title", "bad \udcff byte")
    assert code == 2 and "--title: not valid UTF-8" in err


def test_eval_table_and_keep_going(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = Path(SAMPLES).read_bytes() + b'{"title": "x", "expected_tier": "mega"}\n'
    code, out, err = cli(monkeypatch, capsys, "eval", "-", "--keep-going", stdin=data)
    assert code == 2 and "line 14" in err
    assert "Tier accuracy:" in out and "Haiku share:" in out and "always opus" in out
    assert "Tier confusion (rows expected, columns routed):" in out


def test_explain_json_is_the_full_decision(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(monkeypatch, capsys, "explain", "--title", "Fix typo", "--format", "json")
    decision = json.loads(out)
    assert code == 0 and decision["matched_rules"][0]["rule"] == "typo"
