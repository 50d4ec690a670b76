"""Shared fixtures live in tests/plugins/, one module per area."""

pytest_plugins = [
    "tests.plugins.github",
    "tests.plugins.anthropic",
    "tests.plugins.app",
    "tests.plugins.postgres",
    "tests.plugins.redis",
    "tests.plugins.gate",
    "tests.plugins.action",
]
