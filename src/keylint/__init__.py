"""keylint: a config-file linter and pre-commit hook for API keys."""

__version__ = "0.1.0"

# True for static type checkers only (they take any name TYPE_CHECKING so). keylint's modules import it from here,
# not from typing, and import typing's names under `if TYPE_CHECKING:`: annotations are never evaluated (from
# __future__ import annotations), and importing typing cost every run ~3 ms, a pre-commit run 4% of its time.
TYPE_CHECKING = False
