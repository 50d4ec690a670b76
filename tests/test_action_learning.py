"""The Action learns (#21): route mode reads the last N routed issues' sticky comments (only the bot's own, and with a
state-key only lines signed for their issue), so a new issue's rationale cites recorded outcomes; bounded, and
cached between jobs so a warm job reads only what changed. Every request is checked by FakeGitHub's OpenAPI."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import datetime

import pytest

from bot.action import history_cache
from bot.config import RepoConfig
from bot.issues.render import MARKER
from bot.issues.state import encode, issue_key
from bot.models import IssueInput, Tier
from bot.routing import route
from bot.store.records import RunState
from tests.plugins.action import REPO, act, parse_outputs, settings

KEY = "a-state-key-for-tests"
BOT = "github-actions[bot]"
TYPO = IssueInput(title="Fix typo in README", body="There is a spelling mistake in the install section.")
WHEN = datetime(2026, 3, 2, 10, 0)  # runs' own timestamps (state lines carry them); nothing reads the wall clock


def run(number: int, *, tier: str = "haiku", status: str = "success", truth: str | None = None) -> RunState:
    d = route(TYPO, RepoConfig())
    return RunState(dispatch_id=f"r{number}.1", key=f"{REPO}#{number}:execute:1", tier=tier, model=f"claude-{tier}",
                    complexity=d.complexity.value, status=status, truth=truth, estimated_cost_usd=0.02,
                    actual_cost_usd=0.03 if status in ("success", "failure") else None, created_at=WHEN,
                    completed_at=WHEN if status in ("success", "failure") else None)


def sticky_body(number: int, runs: list[RunState], *, key: str | None = KEY, signed_for: int | None = None) -> str:
    d = route(TYPO, RepoConfig())
    line = encode(d, runs=runs, key=issue_key(key.encode() if key else None, REPO, signed_for or number))
    return f"{MARKER}\n{line}\n**Routed to {d.tier.value}**"


def seed_routed(fake, number: int, body: str, *, user: str = BOT, at: str | None = None) -> int:
    """A routed issue with its sticky comment; `at`: when GitHub last updated both (else now)."""
    d = route(TYPO, RepoConfig())
    fake.add_issue(REPO, number, f"Fix typo {number}", labels=[RepoConfig().labels.model_label(d.tier)])
    fake.add_comment(REPO, number, "thanks!", user="octocat")
    cid = fake.add_comment(REPO, number, body, user=user, user_type="Bot" if user == BOT else "User")
    if at:
        fake.repo(REPO)["comments"][cid]["updated_at"] = fake.repo(REPO)["issues"][number]["updated_at"] = at
    return cid


def open_issue(fake, webhook_example, number: int) -> dict:
    payload = copy.deepcopy(webhook_example("issues", "opened"))
    payload["issue"].update(number=number, title="Fix typo in CONTRIBUTING", body="A spelling mistake.", labels=[])
    fake.seed_payload(payload)
    return payload


def route_new(fake, webhook_example, tmp_path, number: int, **kw) -> tuple[dict, str]:
    payload = open_issue(fake, webhook_example, number)
    kw.setdefault("state_key", KEY)
    code, log = act(settings(tmp_path, fake, "issues", payload, **kw))
    assert code == 0, log
    outputs = parse_outputs((tmp_path / "output.txt").read_text())
    return outputs, log


def ops(fake, since: int = 0) -> list[str]:
    return [r.operation_id for r in fake.requests[since:]]


def test_after_20_recorded_outcomes_a_new_issues_rationale_cites_what_was_learned(fake_github, webhook_example,
                                                                                  runner_env, tmp_path):
    fake_github.add_repo(REPO)
    for n in range(1, 21):
        seed_routed(fake_github, n, sticky_body(n, [run(n)]))
    outputs, log = route_new(fake_github, webhook_example, tmp_path, 30)
    rationale = json.loads(outputs["decision"])["rationale"]
    assert "nothing learned yet" not in rationale
    assert "estimated from 20 recorded attempts and actual costs recorded" in rationale, rationale
    assert "Learned from 20 recently routed issues (20 runs with an outcome; cold start" in log


def test_without_history_the_rationale_says_nothing_was_learned(fake_github, webhook_example, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    outputs, _ = route_new(fake_github, webhook_example, tmp_path, 30)
    assert "nothing learned yet (no issue was routed before this one)" in json.loads(outputs["decision"])["rationale"]
    outputs, _ = route_new(fake_github, webhook_example, tmp_path, 31, history_issues=0)
    rationale = json.loads(outputs["decision"])["rationale"]
    assert "nothing learned yet (the Action keeps no outcome history between jobs)" in rationale


def test_forged_copied_edited_and_pending_state_lines_teach_nothing(fake_github, webhook_example, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    for n in range(1, 4):  # three honest ones
        seed_routed(fake_github, n, sticky_body(n, [run(n)]))
    seed_routed(fake_github, 4, sticky_body(4, [run(4)], key=None))  # unsigned, while the repository has a key
    seed_routed(fake_github, 5, sticky_body(5, [run(5)], signed_for=1))  # issue 1's signature copied to issue 5
    edited = sticky_body(6, [run(6, status="failure")]).replace('"failure"', '"success"')  # re-scored by hand
    seed_routed(fake_github, 6, edited)
    seed_routed(fake_github, 7, sticky_body(7, [run(7)]), user="mallory")  # a person's copy of a valid line
    seed_routed(fake_github, 8, sticky_body(8, [run(8, status="dispatched")]))  # still running
    seed_routed(fake_github, 9, sticky_body(9, [run(9, truth="checks_passed")]))  # its pull request still open
    seed_routed(fake_github, 10, sticky_body(10, [run(10, truth="claimed")]))  # only the agent's word
    outputs, log = route_new(fake_github, webhook_example, tmp_path, 30)
    assert "Learned from 6 recently routed issues (3 runs with an outcome; cold start" in log, log
    assert "estimated from 3 recorded attempts" in json.loads(outputs["decision"])["rationale"]


def test_the_bound_is_respected(fake_github, webhook_example, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    for n in range(1, 21):
        seed_routed(fake_github, n, sticky_body(n, [run(n)]))
    start = len(fake_github.requests)
    outputs, log = route_new(fake_github, webhook_example, tmp_path, 30, history_issues=5)
    assert "Learned from 5 recently routed issues (5 runs with an outcome" in log
    listed = [r for r in fake_github.requests[start:] if r.operation_id == "issues/list-comments"]
    read = {int(r.path.split("/")[-2]) for r in listed}
    assert read == {16, 17, 18, 19, 20, 30}  # the five most recently updated, and the new issue's own sticky
    assert all(r.query.get("per_page") == "100" and r.query.get("sort") == "updated"
               for r in fake_github.requests[start:] if r.operation_id == "issues/list-for-repo")


def test_a_warm_job_reads_only_what_changed_since_the_cached_history(fake_github, webhook_example, runner_env,
                                                                     tmp_path):
    fake_github.add_repo(REPO)
    ids = {n: seed_routed(fake_github, n, sticky_body(n, [run(n)]), at=f"2001-01-01T00:00:{n:02d}Z") for n in range(1, 21)}
    temp = tmp_path / "runner-temp"  # what actions/cache restores there: the same file for the next job
    path = temp / "model-router-history" / "history.json"
    start = len(fake_github.requests)
    outputs, log = route_new(fake_github, webhook_example, tmp_path, 30, history_cache="true", runner_temp=temp)
    cold = Counter(ops(fake_github, start))
    assert "cold start" in log and outputs["history-changed"] == "true" and path.is_file()
    # meanwhile: issue 1 escalated to Sonnet, which succeeded (its sticky comment edited), and issue 21 was routed
    comment = fake_github.repo(REPO)["comments"][ids[1]]
    comment["body"] = sticky_body(1, [run(1, status="failure"), run(1, tier="sonnet").model_copy(
        update={"dispatch_id": "r1.2", "key": f"{REPO}#1:execute:2", "attempt": 2})])
    comment["updated_at"] = "2999-01-01T00:00:00Z"  # after the newest cached one, whatever today is
    seed_routed(fake_github, 21, sticky_body(21, [run(21)]), at="2999-01-01T00:00:01Z")
    runner_env["output"].write_text("")
    start = len(fake_github.requests)
    outputs, log = route_new(fake_github, webhook_example, tmp_path, 31, history_cache="true", runner_temp=temp)
    warm = Counter(ops(fake_github, start))
    assert "Learned from 22 recently routed issues (22 runs with an outcome; warm start" in log, log
    assert "estimated from 22 recorded attempts" in json.loads(outputs["decision"])["rationale"]
    [listing] = [r for r in fake_github.requests[start:] if r.operation_id == "issues/list-comments-for-repo"]
    assert listing.query["since"] > "2001-01-01T00:00:20" and listing.query["sort"] == "updated"
    # cold: a listing per model: label and each issue's comments (+2: the job's own issue, before and after routing)
    assert (cold["issues/list-for-repo"], cold["issues/list-comments"]) == (3, 20 + 2), cold
    # warm: one listing of the comments updated since, whatever the number of issues
    assert (warm["issues/list-for-repo"], warm["issues/list-comments-for-repo"], warm["issues/list-comments"]) == (0, 1, 2)
    assert sum(warm.values()) < sum(cold.values()) - 20


@pytest.mark.parametrize("content", ["{not json", json.dumps({"format": "something else"}), json.dumps([1, 2])])
def test_a_corrupt_cache_file_is_ignored_with_a_clear_line(content, fake_github, webhook_example, runner_env,
                                                           tmp_path):
    fake_github.add_repo(REPO)
    for n in range(1, 5):
        seed_routed(fake_github, n, sticky_body(n, [run(n)]))
    path = tmp_path / "history.json"
    path.write_text(content)
    _, log = route_new(fake_github, webhook_example, tmp_path, 30, history_cache=str(path))
    assert f"The history cache {path} was ignored (" in log and "reading the history cold" in log
    assert "Learned from 4 recently routed issues (4 runs with an outcome; cold start" in log


def test_a_cache_for_another_repository_or_key_is_ignored_and_its_lines_are_verified(fake_github, webhook_example,
                                                                                   runner_env, tmp_path):
    fake_github.add_repo(REPO)
    seed_routed(fake_github, 1, sticky_body(1, [run(1)]))
    path = tmp_path / "history.json"
    forged = [history_cache.Entry(n, "2026-03-02T10:00:00+00:00", sticky_body(n, [run(n)], key=None).split("\n**")[0],
                                  BOT) for n in range(2, 12)]
    other = history_cache.Owner("someone/else", BOT, history_cache.fingerprint(KEY.encode(), "someone/else"), 100)
    history_cache.write(path, other, forged)
    _, log = route_new(fake_github, webhook_example, tmp_path, 30, history_cache=str(path))
    assert "was ignored (written for another repository, bot, state-key or bound)" in log
    assert "Learned from 1 recently routed issues (1 runs with an outcome; cold start" in log
    # the right owner, but state lines nobody signed: the file is data, every line is verified again
    mine = history_cache.Owner(REPO, BOT, history_cache.fingerprint(KEY.encode(), REPO), 100)
    history_cache.write(path, mine, forged)
    _, log = route_new(fake_github, webhook_example, tmp_path, 31, history_cache=str(path))
    assert "Learned from 2 recently routed issues (1 runs with an outcome; warm start" in log, log


def test_recent_issues_lists_only_issues_and_stops_at_the_limit(fake_github, gh):
    fake_github.add_repo(REPO)
    for n in range(1, 131):
        fake_github.add_issue(REPO, n, f"issue {n}", labels=["model:haiku"] if n % 2 else ["model:sonnet"])
    fake_github.add_pull(REPO, 200, labels=["model:haiku"])
    start = len(fake_github.requests)
    found = gh.recent_issues(REPO, "model:haiku", 50)
    assert len(found) == 50 and 200 not in {i.number for i in found} and found[0].number == 129
    assert all(i.updated_at is not None and "model:haiku" in i.labels for i in found)
    assert len(fake_github.requests) - start == 1  # one page of 100 holds them


def test_the_repository_report_counts_only_signed_state_lines_when_a_key_is_set(fake_github, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    for n in range(1, 4):
        seed_routed(fake_github, n, sticky_body(n, [run(n)]))
    seed_routed(fake_github, 4, sticky_body(4, [run(4)], key=None))
    seed_routed(fake_github, 5, sticky_body(5, [run(5)], signed_for=2))
    code, log = act(settings(tmp_path, fake_github, "schedule", {}, mode="report", state_key=KEY))
    assert code == 0, log
    assert parse_outputs(runner_env["output"].read_text())["issues"] == "3"


def test_a_cache_with_too_much_changed_since_reads_cold(fake_github, webhook_example, runner_env, tmp_path,
                                                        monkeypatch):
    from bot.action import learned

    fake_github.add_repo(REPO)
    for n in range(1, 4):
        seed_routed(fake_github, n, sticky_body(n, [run(n)]), at=f"2001-01-01T00:00:0{n}Z")
    path = tmp_path / "history.json"
    route_new(fake_github, webhook_example, tmp_path, 30, history_cache=str(path))
    for n in range(4, 7):
        seed_routed(fake_github, n, sticky_body(n, [run(n)]), at="2999-01-01T00:00:00Z")
    monkeypatch.setattr(learned, "WARM_MAX", 2)  # three changed comments and the last job's sticky: too many
    _, log = route_new(fake_github, webhook_example, tmp_path, 31, history_cache=str(path))
    assert "Learned from 7 recently routed issues (6 runs with an outcome; cold start" in log, log


@pytest.mark.parametrize(("value", "where"), [("true", "temp/model-router-history/history.json"), ("false", None),
                                              ("", None), ("/srv/cache/h.json", "/srv/cache/h.json")])
def test_the_history_cache_input(value, where, tmp_path):
    from bot.action.settings import ActionSettings

    s = ActionSettings(event_name="issues", event_path=tmp_path / "e.json", runner_temp=tmp_path / "temp",
                       history_cache=value)
    assert s.history_file() == (None if where is None else (tmp_path / where if where.startswith("temp") else
                                                            tmp_path.__class__(where)))


def test_recent_issues_reads_a_second_page_only_past_the_first(fake_github, gh):
    fake_github.add_repo(REPO)
    for n in range(1, 131):
        fake_github.add_issue(REPO, n, f"issue {n}", labels=["model:haiku"])
    start = len(fake_github.requests)
    assert [i.number for i in gh.recent_issues(REPO, "model:haiku", 120)] == list(range(130, 10, -1))
    assert len(fake_github.requests) - start == 2
    start = len(fake_github.requests)
    assert len(gh.recent_issues(REPO, "model:haiku", 100)) == 100
    assert len(fake_github.requests) - start == 1


def test_without_a_state_key_a_cached_line_counts_only_as_the_bots_comment(fake_github, webhook_example, runner_env,
                                                                          tmp_path):
    """Without a key nothing is signed, so a cached line must pass the fresh read's other rule: the bot wrote it."""
    fake_github.add_repo(REPO)
    path = tmp_path / "history.json"
    line = {n: sticky_body(n, [run(n)], key=None).split("\n**")[0] for n in range(1, 5)}
    entries = [history_cache.Entry(n, "2026-03-02T10:00:00+00:00", line[n], BOT if n < 3 else "mallory")
               for n in range(1, 5)]
    history_cache.write(path, history_cache.Owner(REPO, BOT, history_cache.fingerprint(None, REPO), 100), entries)
    _, log = route_new(fake_github, webhook_example, tmp_path, 30, history_cache=str(path), state_key="")
    assert "Learned from 2 recently routed issues (2 runs with an outcome; warm start" in log, log


HARD_WORDS = ["Intermittent {} sync failures under load", "{} totals drift after a retry"]
EASY_WORDS = ["{} shows the wrong date after saving", "Wrong owner in the {} export"]
THINGS = ["gadget", "report", "user", "job", "team", "upload"]


def seed_worded(fake, first: int, count: int, at: str | None = None) -> None:
    """Routed issues whose words tell their outcome: Haiku failed the hard-worded ones and resolved the others."""
    for n in range(first, first + count):
        hard = n % 2 == 0
        words = (HARD_WORDS if hard else EASY_WORDS)[n % 4 // 2].format(THINGS[n % len(THINGS)])
        body = sticky_body(n, [run(n, status="failure" if hard else "success")])
        seed_routed(fake, n, body, at=at)
        fake.repo(REPO)["issues"][n]["title"] = words


def route_worded(fake, webhook_example, tmp_path, number: int, title: str, **kw) -> dict:
    payload = open_issue(fake, webhook_example, number)
    payload["issue"]["title"], payload["issue"]["body"] = title, ""
    fake.repo(REPO)["issues"][number]["title"], fake.repo(REPO)["issues"][number]["body"] = title, ""
    code, log = act(settings(tmp_path, fake, "issues", payload, state_key=KEY, **kw))
    assert code == 0, log
    return json.loads(parse_outputs((tmp_path / "output.txt").read_text())["decision"])


def test_the_words_of_recently_routed_issues_teach_a_new_issues_kind(fake_github, webhook_example, runner_env,
                                                                     tmp_path):
    """#22 item 3: the history listing's titles, bodies and labels are hashed as the router hashes an issue, so the
    recorded Haiku outcomes teach the text model without a word in the state lines; a warm job reads the words of
    the issues routed since once each."""
    fake_github.add_repo(REPO)
    seed_worded(fake_github, 1, 100, at="2001-01-01T00:00:00Z")
    temp = tmp_path / "runner-temp"
    d = route_worded(fake_github, webhook_example, tmp_path, 300, "Intermittent widget sync failures under load",
                     history_cache="true", runner_temp=temp)
    assert d["kind"].startswith("~hard") and "the issue's words put it with `~hard` work" in d["rationale"], d
    cached = json.loads((temp / "model-router-history" / "history.json").read_text())["issues"]
    assert all(e["words"] for e in cached) and "gadget" not in json.dumps(cached)  # hashes, not words
    seed_worded(fake_github, 101, 20, at="2999-01-01T00:00:00Z")  # routed since: the warm job reads their words
    runner_env["output"].write_text("")
    start = len(fake_github.requests)
    d = route_worded(fake_github, webhook_example, tmp_path, 301, "Upload shows the wrong date after saving",
                     history_cache="true", runner_temp=temp)
    assert d["kind"].startswith("~easy"), d
    read = Counter(ops(fake_github, start))
    # warm: no listing per label; one read per issue routed since (the 20, and #300 the last job routed)
    assert read["issues/list-for-repo"] == 0 and read["issues/get"] == 20 + 1, read
