"""O-5 lifecycle state machine and the role table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.codes import OPEN_STATUSES, Action, Role, Status
from aftersales.domain.errors import DomainError
from aftersales.domain.lifecycle import allowed_actions, may_act, next_status, revisit_outcome

HAPPY_PATH = [
    (Action.ASSIGN, Status.ASSIGNED),
    (Action.APPOINTMENT, Status.CONTACTED),
    (Action.START_TRAVEL, Status.ON_THE_WAY),
    (Action.ARRIVE, Status.ON_SITE),
    (Action.COMPLETE, Status.COMPLETED),
    (Action.REVISIT, Status.REVISITED),
    (Action.CLOSE, Status.CLOSED),
]
TERMINAL = (Status.CLOSED, Status.CANCELLED)


def test_o5_happy_path_received_to_closed() -> None:
    status = Status.RECEIVED
    seen = [status]
    for action, expected in HAPPY_PATH:
        status = next_status(status, action)
        assert status == expected
        seen.append(status)
    assert seen == [
        Status.RECEIVED,
        Status.ASSIGNED,
        Status.CONTACTED,
        Status.ON_THE_WAY,
        Status.ON_SITE,
        Status.COMPLETED,
        Status.REVISITED,
        Status.CLOSED,
    ]


def test_o5_illegal_transition_names_allowed_actions() -> None:
    with pytest.raises(DomainError) as exc:
        next_status(Status.RECEIVED, Action.CLOSE)
    err = exc.value
    assert err.code == "illegal_transition"
    assert err.status == 409
    assert "received" in err.message
    assert "close" in err.message
    assert "assign" in err.message and "cancel" in err.message
    assert err.params["action"] == "close"
    assert err.params["allowed"] == "assign, cancel, call, escalate, note"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.RECEIVED, Action.COMPLETE),
        (Status.ASSIGNED, Action.ARRIVE),
        (Status.ON_SITE, Action.REVISIT),
        (Status.COMPLETED, Action.CLOSE),
        (Status.COMPLETED, Action.ASSIGN),
        (Status.CLOSED, Action.ASSIGN),
        (Status.CANCELLED, Action.CANCEL),
        (Status.CLOSED, Action.CLOSE),
    ],
)
def test_o5_illegal_transitions_refused_with_409(status: Status, action: Action) -> None:
    with pytest.raises(DomainError) as exc:
        next_status(status, action)
    assert exc.value.code == "illegal_transition"
    assert exc.value.status == 409
    assert f"that is {status.value}" in exc.value.message


def test_o5_terminal_message_allows_only_note() -> None:
    with pytest.raises(DomainError) as exc:
        next_status(Status.CLOSED, Action.ASSIGN)
    assert exc.value.message == "Cannot assign an order that is closed; allowed: note."


@pytest.mark.parametrize("status", TERMINAL)
def test_o5_terminal_states_allow_only_note(status: Status) -> None:
    assert allowed_actions(status) == [Action.NOTE]
    assert next_status(status, Action.NOTE) == status


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
@pytest.mark.parametrize("action", [Action.CALL, Action.ESCALATE, Action.NOTE])
def test_o5_call_escalate_note_keep_status(status: Status, action: Action) -> None:
    assert next_status(status, action) == status


def test_o5_side_states_pending_and_cancel() -> None:
    assert next_status(Status.CONTACTED, Action.RESULT) == Status.PENDING
    assert next_status(Status.PENDING, Action.APPOINTMENT) == Status.CONTACTED
    assert next_status(Status.PENDING, Action.START_TRAVEL) == Status.ON_THE_WAY
    assert next_status(Status.PENDING, Action.COMPLETE) == Status.COMPLETED
    assert next_status(Status.PENDING, Action.CLOSE) == Status.CLOSED
    assert next_status(Status.ON_SITE, Action.CANCEL) == Status.CANCELLED
    assert next_status(Status.ON_SITE, Action.ASSIGN) == Status.ASSIGNED  # reassignment
    assert Action.CANCEL not in allowed_actions(Status.COMPLETED)


def test_o5_allowed_actions_filtered_by_roles_technician_cannot_close() -> None:
    tech = allowed_actions(Status.REVISITED, [Role.TECHNICIAN])
    clerk = allowed_actions(Status.REVISITED, [Role.CLERK])
    assert Action.CLOSE not in tech
    assert tech == [Action.NOTE]
    assert clerk == [Action.CLOSE, Action.CALL, Action.ESCALATE, Action.NOTE]
    assert may_act(Action.CLOSE, [Role.CLERK]) is True
    assert may_act(Action.CLOSE, [Role.TECHNICIAN]) is False
    assert may_act(Action.CLOSE, [Role.TECHNICIAN, Role.SUPERVISOR]) is True


def test_o5_allowed_actions_without_roles_lists_whole_table() -> None:
    assert allowed_actions(Status.ON_SITE) == [
        Action.ASSIGN,
        Action.RESULT,
        Action.COMPLETE,
        Action.CANCEL,
        Action.CALL,
        Action.ESCALATE,
        Action.PART_REQUEST,
        Action.PART_UPDATE,
        Action.NOTE,
    ]


def test_o5_technician_actions_on_site() -> None:
    assert allowed_actions(Status.ON_SITE, [Role.TECHNICIAN]) == [
        Action.RESULT,
        Action.COMPLETE,
        Action.PART_REQUEST,
        Action.NOTE,
    ]
    assert allowed_actions(Status.ON_SITE, [Role.PARTS_KEEPER]) == [
        Action.PART_REQUEST,
        Action.PART_UPDATE,
    ]
    assert allowed_actions(Status.ON_SITE, []) == []


def test_o8_unsatisfied_revisit_can_return_to_work() -> None:
    assert revisit_outcome(True, assigned=True) is Status.REVISITED
    assert revisit_outcome(False, assigned=True) is Status.ASSIGNED
    assert revisit_outcome(False, assigned=False) is Status.RECEIVED


@given(st.sampled_from(list(Status)), st.sampled_from(list(Action)))
def test_o5_next_status_returns_status_or_illegal_transition(
    status: Status, action: Action
) -> None:
    try:
        result = next_status(status, action)
    except DomainError as err:
        assert err.code == "illegal_transition"
        assert err.status == 409
        assert action not in allowed_actions(status)
    else:
        assert isinstance(result, Status)
        assert action in allowed_actions(status)


@given(st.sampled_from(TERMINAL), st.sampled_from([a for a in Action if a != Action.NOTE]))
def test_o5_terminal_refuses_everything_but_note(status: Status, action: Action) -> None:
    with pytest.raises(DomainError) as exc:
        next_status(status, action)
    assert exc.value.code == "illegal_transition"
    assert exc.value.params["allowed"] == "note"


@given(st.sampled_from(list(Status)), st.sampled_from(list(Action)))
def test_o5_allowed_actions_agree_with_next_status(status: Status, action: Action) -> None:
    # Legal moves (those allowed_actions lists) always land on a Status; with roles the
    # list only shrinks.
    if action in allowed_actions(status):
        assert isinstance(next_status(status, action), Status)
    assert set(allowed_actions(status, list(Role))) == set(allowed_actions(status))


@given(st.sampled_from(TERMINAL), st.sets(st.sampled_from(list(Role))))
def test_o5_terminal_allows_nothing_but_note_for_any_roles(
    status: Status, roles: set[Role]
) -> None:
    actions = allowed_actions(status, roles)
    assert set(actions) <= {Action.NOTE}
    expected = [Action.NOTE] if roles & (set(Role) - {Role.PARTS_KEEPER}) else []
    assert actions == expected
