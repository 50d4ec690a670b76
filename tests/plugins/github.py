"""pytest fixtures for the github area."""
