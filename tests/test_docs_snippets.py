"""Every code block in README.md and docs/ can be pasted: YAML parses (a workflow also passes GitHub's workflow
schema, a repository config passes `config validate`), shell passes `bash -n`, JSON parses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from bot.config.schema import RepoConfig

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CHECK = Path(sys.executable).parent / "check-jsonschema"
KINDS = {"yaml": "yaml", "yml": "yaml", "sh": "sh", "bash": "sh", "shell": "sh", "console": "sh", "json": "json"}


def snippets(path: Path) -> list[tuple[str, str, str]]:
    """(id, kind, text) of every fenced block of a kind we can check in one markdown file."""
    out = []
    for tok in MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8")):
        kind = KINDS.get(tok.info.strip().split(" ")[0].lower()) if tok.type == "fence" else None
        if kind:
            out.append((f"{path.relative_to(ROOT)}:{tok.map[0] + 1}", kind, tok.content))
    return out


ALL = [s for doc in DOCS for s in snippets(doc)]
YAML = [s for s in ALL if s[1] == "yaml"]


def test_the_docs_have_snippets_of_every_kind():
    kinds = {k for _, k, _ in ALL}
    assert kinds == {"yaml", "sh", "json"} and len(YAML) >= 8


@pytest.mark.parametrize(("where", "kind", "text"), ALL, ids=[s[0] for s in ALL])
def test_snippet_parses(where, kind, text, tmp_path):
    if kind == "yaml":
        yaml.safe_load(text)  # "mapping values are not allowed here" for a filename line left uncommented
    elif kind == "json":
        json.loads(text)
    else:
        proc = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, f"{where}: {proc.stderr}"


def _workflows() -> list[tuple[str, str]]:
    out = []
    for where, _, text in YAML:
        doc = yaml.safe_load(text)
        if isinstance(doc, dict) and "jobs" in doc:
            out.append((where, text))
        elif isinstance(doc, list) and doc and isinstance(doc[0], dict) and ("uses" in doc[0] or "run" in doc[0]):
            # steps to paste into a job: checked inside a minimal workflow
            out.append((where, yaml.safe_dump({"on": "workflow_dispatch", "jobs": {"j": {
                "runs-on": "ubuntu-latest", "steps": doc}}})))
    return out


def test_workflow_snippets_pass_githubs_workflow_schema(tmp_path):
    flows = _workflows()
    assert len(flows) >= 6
    files = []
    for i, (where, text) in enumerate(flows):
        files.append(tmp_path / f"{i}.yml")
        files[-1].write_text(text)
    proc = subprocess.run([str(CHECK), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, "\n".join(f"{i}.yml = {w}" for i, (w, _) in enumerate(flows)) + proc.stdout


def test_the_workflow_schema_check_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  j:\n    steps: [{uses: x, run: y}]\n")
    assert subprocess.run([str(CHECK), "--builtin-schema", "vendor.github-workflows", str(bad)],
                          capture_output=True, timeout=60).returncode != 0


def test_config_snippets_are_valid_configs():
    """A YAML block headed `# .github/model-router.yml`, or in configuration.md and not a workflow, validates."""
    configs = [(w, yaml.safe_load(t)) for w, _, t in YAML
               if w.startswith("docs/configuration.md") or t.startswith("# .github/model-router.yml")]
    configs = [(w, d) for w, d in configs if isinstance(d, dict) and "jobs" not in d]
    assert len(configs) >= 2
    for where, doc in configs:
        RepoConfig.model_validate({k: v for k, v in doc.items() if k != "_extends"})


def test_a_filename_line_left_uncommented_fails(tmp_path):
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(" .github/workflows/route.yml — route issues\non:\n  issues: {}\n")
    assert shutil.which("bash")
