"""Plans: the shipped schema, validation that names what is wrong, plain text as one task, DAG scheduling."""

import json

import pytest

from bot.convoy import dag
from bot.convoy.plan import PlanError, json_schema, parse_plan, shipped_schema, validate_plan


def task(tid, deps=(), **kw):
    return {"id": tid, "title": f"Task {tid}", "description": "Do it.", "files": [f"src/{tid}.py"],
            "acceptance": "tests pass", "depends_on": list(deps), **kw}


def problems(data, max_tasks=12):
    with pytest.raises(PlanError) as exc:
        validate_plan(data, max_tasks=max_tasks)
    return exc.value.problems


def test_shipped_schema_is_the_models_schema():
    assert shipped_schema() == json_schema()


def test_valid_plan_with_dependencies_and_tier():
    plan = validate_plan({"tasks": [task("a"), task("b", ["a"], tier="haiku"), task("c", ["a"])]}, max_tasks=12)
    assert [t.id for t in plan.tasks] == ["a", "b", "c"] and plan.tasks[1].tier.value == "haiku"


def test_schema_errors_point_at_the_field():
    bad = task("a")
    del bad["acceptance"]
    assert problems({"tasks": [bad]}) == ["tasks[0].acceptance: Field required"]
    assert any(p.startswith("tasks[0].tier:") for p in problems({"tasks": [task("a", tier="gpt")]}))
    assert problems({"tasks": []})[0].startswith("tasks:")
    assert any("extra" in p.lower() for p in problems({"tasks": [task("a")], "run": "rm -rf /"}))


def test_unknown_ids_duplicates_and_self_dependency():
    assert problems({"tasks": [task("a", ["zz"])]}) == ["tasks[0].depends_on: unknown task id 'zz'"]
    assert problems({"tasks": [task("a"), task("a")]}) == ["tasks[1].id: duplicate task id 'a'"]
    assert problems({"tasks": [task("a", ["a"])]}) == ["tasks[0].depends_on: task 'a' depends on itself"]


def test_cycle_is_named_as_a_path():
    assert problems({"tasks": [task("a", ["c"]), task("b", ["a"]), task("c", ["b"])]}) == ["dependency cycle: a → c → b → a"]


def test_too_many_tasks_names_the_setting():
    assert problems({"tasks": [task(str(i)) for i in range(6)]}, max_tasks=5) == [
        "the plan has 6 tasks; at most 5 are allowed (`pipeline.max_tasks`)"
    ]


def test_json_text_and_plain_text():
    plan = parse_plan(json_text=json.dumps({"tasks": [task("a")]}), text="ignored", max_tasks=12)
    assert plan.tasks[0].id == "a"
    with pytest.raises(PlanError, match="not valid JSON"):
        parse_plan(json_text="{", text=None, max_tasks=12)
    one = parse_plan(json_text=None, text="1. edit x\n2. test", max_tasks=12, title="Fix x")
    assert len(one.tasks) == 1 and one.tasks[0].title == "Fix x" and "edit x" in one.tasks[0].description
    with pytest.raises(PlanError, match="no plan"):
        parse_plan(json_text="", text="  ", max_tasks=12)


DEPS = {"a": [], "b": [], "c": ["a", "b"], "d": ["c"], "e": ["c"]}


def test_topological_order_keeps_plan_order():
    assert dag.topo_order({"x": ["y"], "y": [], "z": []}) == ["y", "x", "z"]
    assert dag.find_cycle(DEPS) is None


def test_ready_and_cap():
    status = dict.fromkeys(DEPS, "pending")
    assert dag.ready(DEPS, status) == ["a", "b"]
    assert dag.to_dispatch(DEPS, status, in_flight=1, cap=2) == ["a"]
    status.update(a="done", b="running")
    assert dag.ready(DEPS, status) == []
    status.update(b="closed")  # a person closed it: counts as done
    assert dag.to_dispatch(DEPS, status, in_flight=0, cap=3) == ["c"]
    status.update(c="done")
    assert dag.to_dispatch(DEPS, status, in_flight=0, cap=1) == ["d"]
    assert not dag.finished(status)
    assert dag.finished(dict.fromkeys(DEPS, "done"))


def test_failed_dependency_blocks_its_dependents():
    status = {"a": "failed", "b": "done", "c": "pending", "d": "pending", "e": "pending"}
    assert dag.blocked(DEPS, status) == ["c", "d", "e"]
    assert dag.ready(DEPS, status) == []


def test_executor_workflow_asks_for_the_shipped_schema_and_uploads_the_plan():
    from pathlib import Path

    import yaml

    wf = yaml.safe_load((Path(__file__).resolve().parents[1] / ".github/workflows/model-router-executor.yml").read_text())
    assert json.loads(wf["env"]["PLAN_SCHEMA"]) == shipped_schema()
    steps = wf["jobs"]["execute"]["steps"]
    claude = next(s for s in steps if s.get("id") == "claude")
    assert "--json-schema" in claude["with"]["claude_args"] and "env.PLAN_SCHEMA" in claude["with"]["claude_args"]
    save = next(s for s in steps if "model-router-plan.json" in s.get("run", ""))
    assert save["env"]["PLAN_JSON"] == "${{ steps.claude.outputs.structured_output }}"
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    # the plan is saved into the directory the artifact is uploaded from (tests/test_executor_workflow.py runs it)
    assert f"{upload['with']['path'].replace('${{ runner.temp }}', '$RUNNER_TEMP')}/model-router-plan.json" in save["run"]
