"""Stable lower-case codes shared by the database, the API and the pages."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    CONTACTED = "contacted"  # appointment agreed
    ON_THE_WAY = "on_the_way"
    ON_SITE = "on_site"
    PENDING = "pending"  # an intermediate result (O-7) holds the order
    COMPLETED = "completed"
    REVISITED = "revisited"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# A tuple in declaration order: migrations render it, and a set's order changes per process.
OPEN_STATUSES = tuple(s for s in Status if s not in (Status.CLOSED, Status.CANCELLED))


class Action(StrEnum):
    ASSIGN = "assign"
    APPOINTMENT = "appointment"
    RESULT = "result"
    START_TRAVEL = "start-travel"
    ARRIVE = "arrive"
    COMPLETE = "complete"
    REVISIT = "revisit"
    CLOSE = "close"
    CANCEL = "cancel"
    CALL = "call"
    ESCALATE = "escalate"
    PART_REQUEST = "part-request"
    PART_UPDATE = "part-update"
    NOTE = "note"


class ServiceType(StrEnum):
    INSTALL = "install"
    REPAIR = "repair"
    MAINTENANCE = "maintenance"
    RETURN = "return"  # return/exchange
    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    INSPECTION = "inspection"


class ServiceMode(StrEnum):
    ON_SITE = "on_site"
    CARRY_IN_ONE_WAY = "carry_in_one_way"
    CARRY_IN_BOTH_WAYS = "carry_in_both_ways"
    CARRY_IN_ONE_WAY_LOANER = "carry_in_one_way_loaner"
    CARRY_IN_BOTH_WAYS_LOANER = "carry_in_both_ways_loaner"
    PICKUP = "pickup"


CARRY_IN_MODES = frozenset(
    {
        ServiceMode.CARRY_IN_ONE_WAY,
        ServiceMode.CARRY_IN_BOTH_WAYS,
        ServiceMode.CARRY_IN_ONE_WAY_LOANER,
        ServiceMode.CARRY_IN_BOTH_WAYS_LOANER,
    }
)

# Seed rows of the editable tables (customers can add their own codes).
PRODUCT_CATEGORIES = (
    "air_conditioner",
    "washing_machine",
    "dishwasher",
    "water_heater",
    "television",
    "refrigerator",
    "vehicle",
    "farm_machine",
    "other",
)
SOURCES = (
    "call_centre",
    "phone",
    "letter",
    "walk_in",
    "web",
    "retail_store",
    "self_received",
)


class Role(StrEnum):
    CLERK = "clerk"
    DISPATCHER = "dispatcher"
    TECHNICIAN = "technician"
    PARTS_KEEPER = "parts_keeper"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"
