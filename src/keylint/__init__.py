"""keylint: a config-file linter and pre-commit hook for API keys."""

__version__ = "0.1.0"
