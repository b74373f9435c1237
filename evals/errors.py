"""Errors raised by the evaluation suite; each carries a Dutch message for the CLI to print."""

from __future__ import annotations


class EvalError(Exception):
    """Base class: ``str(error)`` says what happened, to which input, and what to do next."""


class DatasetError(EvalError):
    """A dataset file is missing, empty, or has a line that is not a valid question."""


class RunFileError(EvalError):
    """A run directory lacks results.jsonl/summary.json or holds a malformed line."""


class GateSpecError(EvalError):
    """A --fail-under/--fail-over argument names an unknown metric or has a bad value."""
