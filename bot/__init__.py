"""model-router: route GitHub work to the cheapest Claude tier that can do it well."""

__version__ = "1.0.0"
