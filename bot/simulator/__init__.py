"""Offline stand-ins for GitHub (and Anthropic) used by tests, benchmarks and `make demo`."""
