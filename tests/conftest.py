"""Shared fixtures live in tests/plugins/, one module per area; markers sort tests for `make test-fast`."""

import pytest

pytest_plugins = [
    "tests.plugins.github",
    "tests.plugins.anthropic",
    "tests.plugins.app",
    "tests.plugins.postgres",
    "tests.plugins.redis",
    "tests.plugins.gate",
    "tests.plugins.action",
    "tests.plugins.clock",
]

# A test using any of these talks to a local HTTP fake over a socket: a contract test, not a unit test.
HTTP_FAKES = frozenset({"_fake_github_server", "_fake_anthropic_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HTTP_FAKES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.contract)
