"""Prometheus exposition text as plain values, for whole-value assertions."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str, name: str, *labels: str) -> dict[tuple[str, ...], float]:
    """The samples called ``name``, keyed by the values of ``labels`` (in that order)."""
    found: dict[tuple[str, ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sample.labels[label] for label in labels)] = sample.value
    return found
