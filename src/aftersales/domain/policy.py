"""Every number a network may set differently, with the SPEC's value as the default.

The database keeps one editable row (core.NetworkPolicy); services load it and pass this
plain value object to the rules, so the rules stay free of Django and easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True)
class Policy:
    # O-6: a window longer than this is a half-day or a bare day, not an appointment.
    max_window_minutes: int = 180
    min_window_minutes: int = 30
    # O-8 (b): the customer has no time within this many days.
    no_time_days: int = 7
    # O-12: backlog buckets and the escalation limit.
    backlog_hours: tuple[int, ...] = (48, 72)
    escalation_days: int = 3
    # O-13: parts requested after this local time are late.
    parts_request_cutoff: time = time(17, 0)
    # the same fault again on the same product within this many days is a repeat repair.
    repeat_repair_days: int = 30
    # Fallback SLA hours where no row of the SLA table matches (not in the SPEC).
    default_sla_hours: int = 72


DEFAULT_POLICY = Policy()
