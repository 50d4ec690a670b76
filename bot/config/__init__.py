"""Per-repository config (.github/model-router.yml): schema, errors that point at the line, loading, the App's cache."""

from bot.config.errors import ConfigError
from bot.config.loading import CONFIG_PATH, load_config_file, load_config_text
from bot.config.schema import (
    BudgetsConfig,
    ExecutorConfig,
    LabelsConfig,
    LabelSpec,
    LLMConfig,
    PatternRule,
    RepoConfig,
    ReviewConfig,
    SecurityConfig,
)

__all__ = [
    "CONFIG_PATH", "BudgetsConfig", "ConfigError", "ExecutorConfig", "LLMConfig", "LabelSpec", "LabelsConfig",
    "PatternRule", "RepoConfig", "ReviewConfig", "SecurityConfig", "load_config_file", "load_config_text",
]
