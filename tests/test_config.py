"""Repo config: defaults, partial maps, and errors that name the file, line and key (with did-you-mean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, RepoConfig, load_config_file, load_config_text
from bot.models import Complexity, Tier

REPO = Path(__file__).resolve().parents[1]


def errors(text: str | bytes) -> str:
    with pytest.raises(ConfigError) as info:
        load_config_text(text)
    return str(info.value)


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_text_gives_defaults(text: str) -> None:
    assert load_config_text(text) == RepoConfig()


def test_defaults_cover_every_section() -> None:
    cfg = RepoConfig()
    assert cfg.llm.enabled and cfg.llm.timeout_seconds == 5
    assert cfg.security.labels == ["security"] and "**/auth/**" in cfg.security.paths
    assert ".github/workflows/**" in cfg.security.paths
    assert cfg.executor.workflow == "model-router-executor.yml" and cfg.executor.max_attempts == 3
    assert cfg.executor.escalation == [Tier.haiku, Tier.sonnet, Tier.opus]
    assert cfg.executor.dispatch == "workflow_dispatch" and cfg.budgets.monthly_usd is None
    assert set(cfg.token_estimates) == set(Complexity) and len(cfg.patterns) > 10
    assert set(cfg.label_specs()) >= {"model:haiku", "model:opus", "complexity:trivial", "security"}


def test_shipped_example_is_valid_and_documents_the_defaults() -> None:
    example = load_config_file(REPO / ".github" / "model-router.yml")
    defaults = RepoConfig()
    changed = [k for k in RepoConfig.model_fields if getattr(example, k) != getattr(defaults, k)]
    assert changed == ["extra_patterns"]


def test_partial_maps_keep_the_other_defaults() -> None:
    cfg = load_config_text("labels:\n  model:\n    opus: {color: '#123456'}\ntoken_estimates:\n"
                           "  complex: {input_tokens: 1}\n")
    assert cfg.labels.model[Tier.opus].color == "123456"
    assert cfg.labels.model[Tier.opus].description == RepoConfig().labels.model[Tier.opus].description
    assert cfg.labels.model[Tier.haiku] == RepoConfig().labels.model[Tier.haiku]
    assert cfg.token_estimates[Complexity.complex].input_tokens == 1
    assert cfg.token_estimates[Complexity.complex].output_tokens == RepoConfig().token_estimates[
        Complexity.complex].output_tokens


def test_label_prefixes_rename_managed_labels() -> None:
    cfg = load_config_text("labels:\n  model_prefix: 'tier/'\n")
    assert "tier/haiku" in cfg.label_specs() and cfg.labels.model_label(Tier.opus) == "tier/opus"


def test_unknown_key_names_line_and_suggests() -> None:
    msg = errors("llm:\n  enabled: true\n  timout_seconds: 3\n")
    assert msg == ".github/model-router.yml:3: llm.timout_seconds: unknown key (did you mean 'timeout_seconds'?)"
    assert "did you mean 'labels'" in errors("lables: {}\n")
    assert "(did you mean" not in errors("zzz: 1\n")


def test_errors_inside_lists_point_at_the_item() -> None:
    msg = errors("extra_patterns:\n  - name: ok\n    words: [a]\n    tier: haiku\n  - name: bad\n"
                 "    wrods: [b]\n    tier: opus\n")
    assert ":6: extra_patterns.1.wrods: unknown key (did you mean 'words'?)" in msg
    assert "extra_patterns.1.words: Field required" in msg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("models:\n  gpt5: x\n", ":2: models.gpt5: Input should be 'haiku', 'sonnet' or 'opus'"),
        ("security:\n  min_tier: haiku\n", ":2: security.min_tier: security work never goes to haiku"),
        ("executor:\n  escalation: [opus, haiku]\n", "cheapest first"),
        ("executor:\n  dispatch: cron\n", "executor.dispatch"),
        ("budgets:\n  monthly_usd: -1\n", "budgets.monthly_usd: Input should be greater than or equal to 0"),
        ("labels:\n  security: {color: red}\n", "labels.security.color"),
        ("extra_patterns:\n  - {name: x, words: [a]}\n", "needs a tier, a complexity or security: true"),
        ("extra_patterns:\n  - {name: x, words: ['++'], tier: opus}\n", "needs a letter or digit"),
        ("llm:\n  timeout_seconds: 0\n", "llm.timeout_seconds"),
    ],
)
def test_invalid_values_name_the_key(text: str, expected: str) -> None:
    assert expected in errors(text)


def test_yaml_problems_give_a_line() -> None:
    assert errors("llm:\n  enabled: [\n").startswith(".github/model-router.yml:3: invalid YAML")
    assert "duplicate key 'llm' (first on line 1)" in errors("llm: {}\nllm: {}\n")
    assert "must be a mapping" in errors("- a\n- b\n")
    assert "not UTF-8" in errors(b"llm: \xff\n")
    # a complex (sequence or mapping) key is one clear line, not a crash
    assert "invalid YAML: found unhashable key" in errors("? [a, b]\n: 1\n")
    assert "invalid YAML: found unhashable key" in errors("llm:\n  ? {a: 1}\n  : 2\n")


def test_load_config_file(tmp_path: Path) -> None:
    assert load_config_file(tmp_path / "missing.yml") == RepoConfig()
    path = tmp_path / "c.yml"
    path.write_text("llm:\n  enabled: false\n")
    assert load_config_file(path).llm.enabled is False
    path.write_text("lllm: {}\n")
    with pytest.raises(ConfigError, match=rf"^{path}:1: lllm: unknown key"):
        load_config_file(path)


def _outcome(text: str | bytes, reader) -> tuple:
    """What reading a file gives: its data and every node's position, or the one error line."""
    import yaml

    def walk(node) -> list:
        if node is None:
            return []
        out = [(type(node).__name__, node.start_mark.line, node.start_mark.column, node.end_mark.line)]
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                out += walk(key) + walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                out += walk(item)
        return out

    try:
        data, root = reader(text)
    except ConfigError as exc:
        return ("error", str(exc))
    return ("ok", data, walk(root))


def _pure_python_reader(text: str | bytes):
    """The reference: compose with PyYAML's pure-Python parser (its messages), load with the C one."""
    import yaml

    from bot.config.errors import duplicate_key

    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError([f".github/model-router.yml: not UTF-8 text (byte {exc.start})"]) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if problem := duplicate_key(root, ".github/model-router.yml"):
            raise ConfigError([problem])
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f".github/model-router.yml:{mark.line + 1}" if mark else ".github/model-router.yml"
        raise ConfigError([f"{where}: invalid YAML: {exc.problem or exc.context}"]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([f".github/model-router.yml: invalid YAML: {exc}"]) from exc
    if data is None:
        return {}, root
    if not isinstance(data, dict):
        raise ConfigError([f".github/model-router.yml:1: the file must be a mapping of settings, not {type(data).__name__}"])
    return data, root


@pytest.mark.parametrize("text", [
    (REPO / ".github/model-router.yml").read_text(encoding="utf-8"),
    "", "# c\n", "llm: {}\n", "llm: {}\nllm: {}\n", "a:\n  - {x: 1, x: 2}\n", "llm:\n  enabled: [\n",
    "a: b: c\n", "a: 'x\n", "\ufeffllm: {enabled: false}\n", "a: \x07\n", "a: \x85b\n", "a:\tb\n", "\tkey: 1\n",
    "a: &x {b: 1}\nc: *x\n", "a: *nope\n", "- a\n- b\n", "a: 1\n---\nb: 2\n", "a: !!python/name:os.system\n",
    "a: 1\r\nb:\r\n  - 2\r\n", "? [a, b]\n: 1\n", "a: \U0001F600\n", "a: \ud800\n", b"llm: \xff\n", "{a: 1, a: 2}\n", "a: [1, {b: 2, b: 3}]\n",
    "a: |\n  text\n   more\nb: 2\n", "a: 1\na: !!python/name:x\n", "a: 'x\ty'\n", "a: 0x1F\nb: 1e3\nc: ~\nd: yes\n", "%YAML 1.1\n---\na: 1\n", "%FOO\n---\na: 1\n",
], ids=lambda t: repr(t)[:30])
def test_reading_a_file_gives_what_the_pure_python_parser_gives(text) -> None:
    """The fast (C) reader must be invisible: the same data, node positions and error lines."""
    from bot.config.loading import read_mapping

    assert _outcome(text, read_mapping) == _outcome(text, _pure_python_reader)
