"""Executor runs: starting one on the routed model, recording its outcome, escalating, plan-then-execute."""
