"""model-router: route GitHub work to the cheapest Claude tier that can do it well."""

__version__ = "1.0.0"
# The distribution on PyPI (`pip install claude-tier-router`); the command, the Action and the App stay `model-router`.
DISTRIBUTION = "claude-tier-router"
REPOSITORY = "model-router-dev/model-router"  # the canonical GitHub home: `uses: model-router-dev/model-router@v1`
