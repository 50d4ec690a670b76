"""pytest fixtures for the anthropic area: `fake_anthropic`, a local Messages API stand-in."""

from __future__ import annotations

from typing import Iterator

import pytest

from bot.simulator.anthropic import FakeAnthropic


@pytest.fixture(scope="session")
def _fake_anthropic_server() -> Iterator[FakeAnthropic]:
    from bot.catalog import load_catalog

    # Unknown model ids get the real API's 404, so a test proves the id came from the catalog.
    with FakeAnthropic(known_models=set(load_catalog().models)) as fake:
        yield fake


@pytest.fixture
def fake_anthropic(_fake_anthropic_server: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """A running FakeAnthropic, reset for each test; ANTHROPIC_BASE_URL points at it."""
    _fake_anthropic_server.reset()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", _fake_anthropic_server.url)
    yield _fake_anthropic_server
    _fake_anthropic_server.reset()
