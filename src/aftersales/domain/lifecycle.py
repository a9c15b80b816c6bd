"""O-5: the order's state machine as one table, and who may take each action.

An action not in the table for the current state is refused with the allowed ones named.
"""

from __future__ import annotations

from collections.abc import Iterable

from .codes import Action, Role, Status
from .errors import conflict

S, A = Status, Action

_WORK = (S.ASSIGNED, S.CONTACTED, S.ON_THE_WAY, S.ON_SITE, S.PENDING)
_OPEN = (S.RECEIVED, *_WORK, S.COMPLETED, S.REVISITED)

# action -> {from status: to status}. None as target means "stays where it is".
TRANSITIONS: dict[Action, dict[Status, Status | None]] = {
    A.ASSIGN: {s: S.ASSIGNED for s in (S.RECEIVED, *_WORK)},
    A.APPOINTMENT: {s: S.CONTACTED for s in (S.ASSIGNED, S.CONTACTED, S.PENDING)},
    A.RESULT: {s: S.PENDING for s in _WORK},
    A.START_TRAVEL: {S.CONTACTED: S.ON_THE_WAY, S.PENDING: S.ON_THE_WAY},
    A.ARRIVE: {S.ON_THE_WAY: S.ON_SITE, S.CONTACTED: S.ON_SITE},
    A.COMPLETE: {S.ON_SITE: S.COMPLETED, S.PENDING: S.COMPLETED},
    # An unsatisfied revisit sends the order back to work (one order to the end, O-8).
    A.REVISIT: {S.COMPLETED: S.REVISITED},
    A.CLOSE: {S.REVISITED: S.CLOSED, S.PENDING: S.CLOSED},
    A.CANCEL: {s: S.CANCELLED for s in (S.RECEIVED, *_WORK)},
    A.CALL: {s: None for s in _OPEN},
    A.ESCALATE: {s: None for s in _OPEN},
    A.PART_REQUEST: {s: None for s in _WORK},
    A.PART_UPDATE: {s: None for s in (*_WORK, S.COMPLETED)},
    A.NOTE: {s: None for s in (*_OPEN, S.CLOSED, S.CANCELLED)},
}

_STAFF = frozenset({Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
_ALL_WORKERS = _STAFF | {Role.TECHNICIAN}

# Who may take an action (a technician only on orders assigned to them: see selectors).
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    A.ASSIGN: frozenset({Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}),
    A.APPOINTMENT: _ALL_WORKERS,
    A.RESULT: _ALL_WORKERS,
    A.START_TRAVEL: frozenset({Role.TECHNICIAN, Role.DISPATCHER, Role.ADMIN}),
    A.ARRIVE: frozenset({Role.TECHNICIAN, Role.DISPATCHER, Role.ADMIN}),
    A.COMPLETE: frozenset({Role.TECHNICIAN, Role.CLERK, Role.SUPERVISOR, Role.ADMIN}),
    A.REVISIT: frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}),
    A.CLOSE: frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}),
    A.CANCEL: frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}),
    A.CALL: _STAFF,
    A.ESCALATE: _STAFF,
    A.PART_REQUEST: _ALL_WORKERS | {Role.PARTS_KEEPER},
    A.PART_UPDATE: frozenset({Role.PARTS_KEEPER, Role.CLERK, Role.SUPERVISOR, Role.ADMIN}),
    A.NOTE: _ALL_WORKERS,
}


def allowed_actions(status: Status, roles: Iterable[Role] | None = None) -> list[Action]:
    """The actions that the current state allows (and, given roles, that they may take)."""
    role_set = frozenset(roles) if roles is not None else None
    out = []
    for action, table in TRANSITIONS.items():
        if status not in table:
            continue
        if role_set is not None and not (ACTION_ROLES[action] & role_set):
            continue
        out.append(action)
    return out


def next_status(status: Status, action: Action) -> Status:
    """The status after `action`, or a 409 naming the current state and the allowed actions."""
    table = TRANSITIONS[action]
    if status not in table:
        allowed = ", ".join(a.value for a in allowed_actions(status)) or "none"
        err = conflict(
            "illegal_transition",
            f"Cannot {action.value} an order that is {status.value}; allowed: {allowed}.",
            action=action.value,
            current=status.value,
            allowed=allowed,
        )
        # Machine-readable too: API clients read the state and the way forward from fields.
        err.fields = {"status": status.value, "allowed": allowed}
        raise err
    target = table[status]
    return status if target is None else target


def revisit_outcome(satisfied: bool, *, assigned: bool) -> Status:
    """R-3/O-8: a satisfied revisit ends the work; an unsatisfied one sends it back to work."""
    if satisfied:
        return S.REVISITED
    return S.ASSIGNED if assigned else S.RECEIVED


def may_act(action: Action, roles: Iterable[Role]) -> bool:
    return bool(ACTION_ROLES[action] & frozenset(roles))
