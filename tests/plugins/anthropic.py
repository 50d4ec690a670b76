"""pytest fixtures for the anthropic area."""
