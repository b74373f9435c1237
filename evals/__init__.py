"""Evaluation suite: drives the assistant over a dataset and scores retrieval and answers."""

from evals.cli import main
from evals.dataset import Example, load_dataset
from evals.metrics import METRICS, Case, Metric, MetricResult

__all__ = ["METRICS", "Case", "Example", "Metric", "MetricResult", "load_dataset", "main"]
