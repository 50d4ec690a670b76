"""/dispatch: workflow_dispatch / repository_dispatch with the routed model, idempotency, budgets, cap."""

import json

import pytest
from sqlalchemy import create_engine

from bot import catalog, permissions
from bot.runs import executor
from bot.config import RepoConfig
from bot.handlers import handle_event
from bot.commands.replies import REPLY_MARKER
from bot.config.source import ConfigLoad, FixedConfig
from bot.context import Context
from bot.models import Complexity, Tier
from bot.issues.render import money
from bot.store.issues import IssueStore
from bot.store.records import DISPATCH_ERROR
from bot.github.port import GitHubError

REPO = "Codertocat/Hello-World"


@pytest.fixture(autouse=True)
def _fresh_permission_cache():
    permissions.clear_cache()


@pytest.fixture
def config():
    return {"value": RepoConfig()}


@pytest.fixture
def ctx(gh, tmp_path, config):
    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'exp.db'}"))
    return Context(gh=gh, repo=REPO, store=store, configs=FixedConfig(lambda: config["value"]))


def set_config(ctx, data):
    ctx._loaded = ConfigLoad(RepoConfig.model_validate(data))  # Context caches its config


@pytest.fixture
def comment(webhook_example, fake_github):
    def make(body, *, number=1, title="Fix typo in README", labels=(), role="write"):
        p = webhook_example("issue_comment", "created")
        p["comment"]["body"] = body
        p["issue"]["number"], p["issue"]["title"], p["issue"]["body"] = number, title, "Small change."
        p["issue"]["labels"] = [{"name": n} for n in labels]
        fake_github.seed_payload(p)
        p["comment"]["id"] = fake_github.add_comment(REPO, number, body, user="Codertocat")
        fake_github.set_permission(REPO, "Codertocat", role)
        return p

    return make


def dispatches(fake_github):
    return fake_github.repo(REPO)["workflow_dispatches"]


def reply(fake_github, number=1):
    return [c for c in fake_github.comments(REPO, number) if REPLY_MARKER in c["body"]][-1]["body"]


def reactions(fake_github, comment_id):
    return [r["content"] for r in fake_github.repo(REPO)["comments"][comment_id]["reactions"]]


def test_dispatch_sends_the_routed_model(ctx, comment, fake_github):
    p = comment("/dispatch")
    res = handle_event("issue_comment", p, ctx)
    assert res.outputs["dispatched"] == "true"
    [d] = dispatches(fake_github)
    decision = ctx.store.decision(REPO, 1)
    assert d["workflow"] == "model-router-executor.yml" and d["ref"] == p["repository"]["default_branch"]
    inputs = d["inputs"]
    assert set(inputs) == {"issue_number", "tier", "model", "complexity", "routing_id", "issue_sha256"}
    assert inputs["issue_number"] == "1" and inputs["tier"] == decision.tier.value
    assert inputs["model"] == catalog.model_for(decision.tier) and inputs["complexity"] == decision.complexity.value
    row = ctx.store.get_dispatch(inputs["routing_id"])
    assert row.status == "dispatched" and row.comment_id == p["comment"]["id"]
    assert "rocket" in reactions(fake_github, p["comment"]["id"])
    assert "Dispatched an executor run" in reply(fake_github)


def test_redelivered_dispatch_does_not_dispatch_twice(ctx, comment, fake_github):
    p = comment("/dispatch")
    handle_event("issue_comment", p, ctx)
    again = handle_event("issue_comment", json.loads(json.dumps(p)), ctx)
    assert len(dispatches(fake_github)) == 1
    assert again.outputs["dispatched"] == "false" and "Already dispatched" in reply(fake_github)
    assert len([c for c in fake_github.comments(REPO, 1) if REPLY_MARKER in c["body"]]) == 1
    # a NEW comment is a new request
    handle_event("issue_comment", comment("/dispatch sonnet"), ctx)
    assert [d["inputs"]["tier"] for d in dispatches(fake_github)][-1] == "sonnet"


def test_budget_refusal_has_the_numbers(ctx, comment, fake_github, config):
    set_config(ctx, {"budgets": {"monthly_usd": 0.01}})
    p = comment("/dispatch opus")
    handle_event("issue_comment", p, ctx)
    body = reply(fake_github)
    est = catalog.estimate_cost(Tier.opus, ctx.store.decision(REPO, 1).complexity, ctx.config).usd
    assert "Refused" in body and f"estimated at {money(est)}" in body and "budget of $0.0100" in body and "spend is $0.0000" in body
    assert dispatches(fake_github) == [] and "confused" in reactions(fake_github, p["comment"]["id"])


def test_budget_counts_this_months_runs(ctx, comment, fake_github, config):
    handle_event("issue_comment", comment("/dispatch haiku"), ctx)
    spent = ctx.store.month_spend(REPO)
    assert spent > 0
    set_config(ctx, {"budgets": {"monthly_usd": spent * 1.5}})
    handle_event("issue_comment", comment("/dispatch haiku"), ctx)
    assert len(dispatches(fake_github)) == 1 and f"this month's spend is {money(spent)}" in reply(fake_github)


def test_concurrent_run_cap(ctx, comment, fake_github, config):
    set_config(ctx, {"budgets": {"max_concurrent_runs": 1}})
    handle_event("issue_comment", comment("/dispatch", number=1), ctx)
    handle_event("issue_comment", comment("/dispatch", number=2, title="Another typo"), ctx)
    assert len(dispatches(fake_github)) == 1
    assert "1 executor run(s) are already in flight" in reply(fake_github, 2)


def test_repository_dispatch_mode(ctx, comment, fake_github, config):
    set_config(ctx, {"executor": {"dispatch": "repository_dispatch"}})
    handle_event("issue_comment", comment("/dispatch"), ctx)
    [rd] = fake_github.repo(REPO)["repository_dispatches"]
    assert rd["event_type"] == "model-router.execute"
    assert len(rd["client_payload"]) <= executor.MAX_CLIENT_PAYLOAD_KEYS and rd["client_payload"]["issue_number"] == "1"
    assert dispatches(fake_github) == []


def test_security_sensitive_never_runs_on_haiku(ctx, comment, fake_github):
    handle_event("issue_comment", comment("/dispatch haiku", title="Fix typo in login page", labels=["security"]), ctx)
    [d] = dispatches(fake_github)
    assert d["inputs"]["tier"] == "sonnet" and "security-sensitive" in reply(fake_github)


def test_github_refusal_is_reported_and_retryable(ctx, comment, fake_github):
    p = comment("/dispatch")
    fake_github.fail_next("POST", r"/dispatches$", 422, body={"message": "Workflow does not have 'workflow_dispatch' trigger"})
    handle_event("issue_comment", p, ctx)
    assert "GitHub refused the dispatch (422" in reply(fake_github) and dispatches(fake_github) == []
    handle_event("issue_comment", p, ctx)  # the job (or a redelivery) tries again: the error row is claimable
    assert len(dispatches(fake_github)) == 1


@pytest.mark.parametrize(("how", "needs"), [("workflow_dispatch", "Actions"), ("repository_dispatch", "Contents")])
def test_a_refusal_for_want_of_a_permission_names_the_apps_permission(how, needs, ctx, comment, fake_github):
    set_config(ctx, {"executor": {"dispatch": how}})
    fake_github.fail_next("POST", r"/dispatches$", 403, body={"message": "Resource not accessible by integration"})
    handle_event("issue_comment", comment("/dispatch"), ctx)
    assert f"needs the App's {needs} read & write permission" in reply(fake_github)
    assert ctx.refused and "job token" not in reply(fake_github)


def test_plan_dispatches_sonnet_in_plan_mode(ctx, comment, fake_github):
    handle_event("issue_comment", comment("/plan"), ctx)
    [d] = dispatches(fake_github)
    assert d["inputs"]["tier"] == "sonnet" and d["inputs"]["mode"] == "plan"


def test_inputs_stay_within_githubs_limits():
    plan = "step “ü” \"quoted\"\n" * 20_000
    inputs = executor.build_inputs(
        number=7, tier=Tier.haiku, model="m", complexity=Complexity.simple, routing_id="abc.1.ffff", mode="execute", plan=plan
    )
    assert len(inputs) <= executor.MAX_INPUTS
    assert len(json.dumps(inputs, ensure_ascii=False)) <= executor.MAX_INPUTS_CHARS
    assert inputs["plan"].endswith("[plan truncated to fit GitHub's workflow input limit]")
    assert all(isinstance(v, str) for v in inputs.values())


def test_dry_run_writes_nothing(ctx, fake_github, comment):
    from bot.issues.service import route_issue

    comment("hello")
    route_issue(ctx, 1)
    ctx.dry_run = True
    before = len(fake_github.writes())
    res = executor.start_run(ctx, 1, cause="comment:1", by="x")
    assert res.message.startswith("Dry run: would dispatch") and ctx.store.dispatches(REPO, 1) == []
    assert len(fake_github.writes()) == before


def test_security_floor_follows_the_config(ctx, comment, fake_github):
    set_config(ctx, {"security": {"min_tier": "opus"}})
    handle_event("issue_comment", comment("/dispatch sonnet", title="Fix typo in login page", labels=["security"]), ctx)
    [d] = dispatches(fake_github)
    assert d["inputs"]["tier"] == "opus" and "runs on opus rather than sonnet" in reply(fake_github)


def test_dispatch_runs_what_the_phases_say(ctx, comment, fake_github):
    # #11: a decision whose phases start with a plan dispatches the Sonnet planning run first
    handle_event("issue_comment", comment("/dispatch", title="Migration of data from v1 tables"), ctx)
    decision = ctx.store.decision(REPO, 1)
    assert [p.role.value for p in decision.phases] == ["plan", "execute", "review"]
    [d] = dispatches(fake_github)
    assert d["inputs"]["tier"] == "sonnet" and d["inputs"]["mode"] == "plan"


@pytest.mark.parametrize("store", ["sql", "memory"])
def test_a_refused_dispatch_counts_against_neither_the_cap_nor_the_budget(ctx, comment, fake_github, store):
    """GitHub refused the dispatch (status error: no run, nothing spent): the App's and the Action's budgets skip it,
    so the next `/dispatch` fits a cap of one run and a budget of one and a half runs."""
    if store == "memory":
        from bot.store.memory import MemoryIssueStore

        ctx.store = MemoryIssueStore()
    fake_github.fail_next("POST", r"/dispatches$", 500, body={"message": "Server Error"})
    with pytest.raises(GitHubError):
        handle_event("issue_comment", comment("/dispatch"), ctx)
    [refused] = ctx.store.dispatches(REPO, 1)
    assert refused.status == DISPATCH_ERROR and refused.estimated_cost_usd > 0
    assert (ctx.store.active_runs(REPO), ctx.store.month_spend(REPO)) == (0, 0.0)
    set_config(ctx, {"budgets": {"max_concurrent_runs": 1, "monthly_usd": refused.estimated_cost_usd * 1.5}})
    handle_event("issue_comment", comment("/dispatch"), ctx)
    assert len(dispatches(fake_github)) == 1 and "Dispatched an executor run" in reply(fake_github)
