"""The package version (also written into every run's ``run.json``)."""

__version__ = "0.1.0"
