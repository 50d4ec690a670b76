"""bot.runs.outcome: claude-code-action's execution_file, as a JSON list, JSON lines, or junk."""

import io
import json
import zipfile

from bot.runs.outcome import parse_artifact_zip, parse_execution

RESULT = {
    "type": "result", "subtype": "success", "is_error": False, "duration_ms": 81234, "duration_api_ms": 70000,
    "num_turns": 12, "result": "Opened PR #7.", "session_id": "abc", "total_cost_usd": 0.4321,
    "usage": {"input_tokens": 10, "output_tokens": 20},
}
MESSAGES = [
    {"type": "system", "subtype": "init", "model": "claude-haiku-4-5", "tools": []},
    {"type": "assistant", "message": {"content": [{"type": "text", "text": "working"}]}},
    RESULT,
]


def test_json_list_like_the_action_writes():
    out = parse_execution(json.dumps(MESSAGES, indent=2))
    assert out.found and out.succeeded
    assert (out.total_cost_usd, out.num_turns, out.duration_ms, out.result) == (0.4321, 12, 81234, "Opened PR #7.")


def test_json_lines_with_junk_and_truncated_tail():
    text = "npm WARN something\n" + "\n".join(json.dumps(m) for m in MESSAGES) + '\n{"type": "assis'
    out = parse_execution(text.encode())
    assert out.found and out.total_cost_usd == 0.4321 and out.messages == 3


def test_last_result_wins_and_errors_are_failures():
    err = {**RESULT, "subtype": "error_max_turns", "is_error": True, "total_cost_usd": 1.5}
    out = parse_execution(json.dumps([*MESSAGES, err]))
    assert out.total_cost_usd == 1.5 and not out.succeeded and out.subtype == "error_max_turns"


def test_garbage_never_raises():
    for junk in ["", "   ", "not json", "[1, 2, 3]", '{"type": "result", "total_cost_usd": "lots"}', b"\xff\xfe\x00", "null"]:
        out = parse_execution(junk)
        assert out.total_cost_usd is None
    out = parse_execution('[{"type": "result", "total_cost_usd": -3, "num_turns": true}]')
    assert out.found and out.total_cost_usd is None and out.num_turns is None


def test_legacy_cost_field():
    assert parse_execution(json.dumps([{"type": "result", "cost_usd": 0.2}])).total_cost_usd == 0.2


def _zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_artifact_zip_with_plan():
    blob = _zip({"tmp/claude-execution-output.json": json.dumps(MESSAGES), "model-router-plan.md": "1. do it"})
    out, texts = parse_artifact_zip(blob)
    assert out.total_cost_usd == 0.4321 and texts == {"model-router-plan.md": "1. do it"}


def test_artifact_not_a_zip():
    out, texts = parse_artifact_zip(b"PK\x03\x04 broken")
    assert not out.found and texts == {}
