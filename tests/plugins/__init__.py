"""pytest fixtures, one module per area; listed in tests/conftest.py."""
