"""Prometheus metrics: the instruments every part of the bot increments, and ``/metrics``.

With several workers (``serve --workers N``) the supervisor gives each worker the same
``PROMETHEUS_MULTIPROC_DIR``; prometheus-client then keeps every worker's values in files
there, and ``/metrics`` on any worker adds them up. Values that live in the database (open
hand-offs, outbox depth) are read at scrape time by :class:`ScrapeGauges`, once, by the worker
that answers the scrape.

Other capabilities increment the counters here: ``SEND_ERRORS.labels("zalo", "http_500")``,
``OUTBOX_RETRIES.labels("telegram")``, ``RATE_LIMITED.labels("web_chat")``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

TURNS = Counter("digiguide_turns", "Turns handled, by channel, input kind and outcome "
                "(ok, duplicate: a redelivery answered before, error)",
                ["channel", "kind", "outcome"])
TURN_SECONDS = Histogram("digiguide_turn_seconds", "Time to answer one turn (NLU included)",
                         ["channel"], buckets=_LATENCY_BUCKETS)
NLU_SECONDS = Histogram("digiguide_nlu_seconds", "Intent recognition time, by where the answer "
                        "came from (rasa, cache, keywords)", ["source"],
                        buckets=_LATENCY_BUCKETS)
NLU_DEGRADED = Gauge("digiguide_nlu_degraded", "1 while a worker answers with keywords because "
                     "Rasa is not answering", multiprocess_mode="livemax")
NLU_CACHE = Counter("digiguide_nlu_cache", "NLU cache lookups (hit, miss, shared: an identical "
                    "text already on its way to Rasa)", ["result"])
SEND_ERRORS = Counter("digiguide_send_errors", "Messages a channel failed to send",
                      ["channel", "reason"])
OUTBOX_RETRIES = Counter("digiguide_outbox_retries", "Outbox messages sent again after a "
                         "failure", ["channel"])
RATE_LIMITED = Counter("digiguide_rate_limit_hits", "Requests refused by a rate limit",
                       ["scope"])
LEASES_HELD = Gauge("digiguide_lease_held", "1 in the worker that holds the lease (the sum "
                    "over workers is 1 while someone leads)", ["lease"],
                    multiprocess_mode="livesum")
JOB_RUNS = Counter("digiguide_job_runs", "Runs of periodic jobs, by job and status",
                   ["job", "status"])

GaugeSource = Callable[[], Awaitable[Mapping[tuple[str, ...], float]]]


@dataclass(frozen=True)
class _Gauge:
    name: str
    documentation: str
    labels: tuple[str, ...]
    source: GaugeSource


class _Snapshot(Collector):
    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return self.families


class ScrapeGauges:
    """Gauges read from the database when ``/metrics`` is scraped.

    ``register("digiguide_outbox_depth", "…", source, labels=("channel",))`` where ``source``
    returns ``{("telegram",): 3.0, ...}`` (label values -> value)."""

    def __init__(self) -> None:
        self._gauges: list[_Gauge] = []

    def register(self, name: str, documentation: str, source: GaugeSource,
                 labels: tuple[str, ...] = ()) -> None:
        self._gauges.append(_Gauge(name, documentation, labels, source))

    async def families(self) -> list[GaugeMetricFamily]:
        families = []
        for gauge in self._gauges:
            try:
                values = await gauge.source()
            except Exception as error:  # a scrape reports what it can
                log.warning("metric %s unavailable: %s", gauge.name, type(error).__name__)
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation,
                                       labels=list(gauge.labels))
            for label_values, value in values.items():
                family.add_metric(list(label_values), value)
            families.append(family)
        return families


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


async def exposition(gauges: ScrapeGauges | None = None) -> tuple[bytes, str]:
    """The text ``/metrics`` answers with, and its content type."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if gauges is not None:
        extra = CollectorRegistry()
        extra.register(_Snapshot(await gauges.families()))
        body += generate_latest(extra)
    return body, CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """Forget a dead worker's live gauges (called by the supervisor)."""
    path = multiprocess_dir()
    if path:
        multiprocess.mark_process_dead(pid, path)  # type: ignore[no-untyped-call]
