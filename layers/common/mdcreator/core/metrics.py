"""Business metrics as CloudWatch embedded metric format (EMF): at most one stdout line per request.

CloudWatch Logs turns the line into metrics in namespace POWERTOOLS_METRICS_NAMESPACE (the
variable Powertools for AWS Lambda reads; "MDCreator" without it), one dimension `service`
(the function's folder name). The alarms of template.yaml read these names.

Our own ~60 lines instead of Powertools' Metrics: that import loads about 50 more modules
(botocore among them) into every function's cold start, for seven counters.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

DEFAULT_NAMESPACE = "MDCreator"
Metric = Literal[
    "LoginSucceeded",
    "LoginFailed",
    "Lockout",
    "RefreshReuseDetected",
    "MailSent",
    "MailFailed",
    "DependencyUnavailable",
]

_counts: ContextVar[dict[str, int] | None] = ContextVar("metrics", default=None)


def count(metric: Metric, value: int = 1) -> None:
    """Add to the request's counter; outside a request (init, tools) nothing is recorded."""
    counts = _counts.get()
    if counts is not None and value:
        counts[metric] = counts.get(metric, 0) + value


@contextmanager
def collected(service: str, **properties: str | None) -> Iterator[None]:
    """Count what happens inside; on the way out, however it ends, write one EMF line if
    anything was counted. `properties` (request ids) ride along for Logs Insights."""
    counts: dict[str, int] = {}
    token = _counts.set(counts)
    try:
        yield
    finally:
        _counts.reset(token)
        if counts:
            sys.stdout.write(emf_line(service, counts, properties) + "\n")
            sys.stdout.flush()


def emf_line(service: str, counts: dict[str, int], properties: dict[str, str | None]) -> str:
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE
    document: dict[str, object] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [["service"]],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in counts],
                }
            ],
        },
        **{name: value for name, value in properties.items() if value is not None},
        "service": service,
        **counts,
    }
    return json.dumps(document, separators=(",", ":"))
