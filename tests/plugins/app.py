"""pytest fixtures for the app area."""
