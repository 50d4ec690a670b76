# Both entry points create and reuse .venv; nothing else needs installing by hand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.demo-installed

.PHONY: demo test test-fast bench lock clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,simulator]'
	touch $(STAMP)

# The demo needs the App service and the simulator only (the `demo` extra), not the test tools.
$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[demo]'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/python -m bot.simulator.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The inner loop: unit tests only (no HTTP fakes, no processes, no act, no PostgreSQL).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not act and not postgres and not contract" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_routing.py
	$(BIN)/python benchmarks/bench_webhook.py
	$(BIN)/python benchmarks/bench_action_start.py

# The Action's pinned dependencies (the core of pyproject.toml, with hashes), the uv it installs them with, and
# the Docker image's (the core, the app and postgres extras, and the setuptools that builds the package).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" -o requirements/action.txt
	echo "setuptools>=69" | $(BIN)/uv pip compile pyproject.toml - --extra postgres --universal --generate-hashes \
	  --python-version 3.11 --custom-compile-command "make lock" -o requirements/app.txt
	echo "uv==$$($(BIN)/uv --version | cut -d' ' -f2)" | $(BIN)/uv pip compile - --universal --generate-hashes \
	  --python-version 3.11 --custom-compile-command "make lock" -o requirements/uv.txt

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
