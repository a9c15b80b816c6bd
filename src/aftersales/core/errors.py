"""DomainError → translated message, once for the API, the pages and the CLI."""

from __future__ import annotations

from django.utils.translation import gettext as _

from aftersales.domain.errors import DomainError

# Translatable templates by error code; the domain's English message is the fallback.
MESSAGES = {
    "illegal_transition": lambda p: (
        _("Cannot %(action)s an order that is %(current)s; allowed: %(allowed)s.") % p
    ),
    "window_not_concrete": lambda p: (
        _(
            "Give a concrete window of at most %(max)s minutes (e.g. 10:00–12:00), not a bare day or half-day."
        )
        % p
    ),
    "window_reversed": lambda p: _("The window must end after it starts."),
    "window_in_past": lambda p: _("An appointment cannot start in the past."),
    "window_spans_days": lambda p: _("A window lies within one day."),
    "window_too_short": lambda p: _("A window is at least %(min)s minutes.") % p,
    "close_unfinished": lambda p: _(
        "Only a completed order whose revisit found the customer satisfied, a customer with no time in the coming days, or a refusal on site can be closed."
    ),
    "close_not_satisfied": lambda p: _(
        "The customer is not satisfied: the order stays open until they are."
    ),
    "close_no_time_too_short": lambda p: (
        _("Close for 'no time' only when the customer has no time within the next %(days)s days.")
        % p
    ),
    "close_refusal_not_on_site": lambda p: _(
        "A refusal closes the order only when it was stated on site."
    ),
    "phone_invalid": lambda p: _("Not a phone number: %(value)s.") % p,
    "stale_version": lambda p: (
        _(
            "Someone else changed this order meanwhile (now version %(current)s); reload and try again."
        )
        % p
    ),
    "duplicate_source_ref": lambda p: (
        _(
            "An order with source %(source)s and reference %(source_ref)s already exists: %(number)s."
        )
        % p
    ),
    "forbidden": lambda p: _("You may not do this."),
    "not_found": lambda p: _("Not found."),
    "validation": lambda p: _("Some fields are not valid."),
    "escalation_top": lambda p: _("The order is already with the manager; it cannot go higher."),
    # Spare parts (P-…): the domain builds English text; these are the users' languages.
    "insufficient_stock": lambda p: (
        _("Not enough stock of %(part)s: %(wanted)s wanted, %(available)s on hand.") % p
    ),
    "bad_quantity": lambda p: _("A quantity is a whole number of at least 1."),
    "unknown_part": lambda p: _("No part with code %(code_given)s in the part master.") % p,
    "illegal_request_transition": lambda p: (
        _("This step does not follow from the request's current state (%(current)s).") % p
    ),
    "count_already_open": lambda p: _(
        "This warehouse is being counted already; close that count first."
    ),
    "count_unapproved_variances": lambda p: (
        _(
            "%(n)s variance(s) are not approved yet; a supervisor approves them with a reason before the count closes."
        )
        % p
    ),
    "count_incomplete": lambda p: _("%(n)s line(s) are not counted yet.") % p,
    "barcode_charset": lambda p: _(
        "A Code 39 label takes digits, capital letters, space and the signs - . $ / + and percent."
    ),
}


def _labelled(params: dict[str, object]) -> dict[str, object]:
    """Show states and actions by their translated names, not their codes."""
    from aftersales.orders.models import ACTION_LABELS, STATUS_LABELS

    out = dict(params)
    if isinstance(out.get("current"), str):
        out["current"] = STATUS_LABELS.get(out["current"], out["current"])  # type: ignore[call-overload]
    if isinstance(out.get("action"), str):
        out["action"] = ACTION_LABELS.get(str(out["action"]), out["action"])
    if isinstance(out.get("allowed"), str):
        out["allowed"] = ", ".join(
            str(ACTION_LABELS.get(a.strip(), a.strip())) for a in str(out["allowed"]).split(",")
        )
    return out


def error_message(err: DomainError) -> str:
    fn = MESSAGES.get(err.code)
    if fn is None:
        return err.message
    try:
        return str(fn(_labelled(err.params)))
    except (KeyError, TypeError, ValueError):
        return err.message


# Codes whose `fields` carry machine-readable values (states, actions), not messages.
_MACHINE_FIELDS = {"illegal_transition"}


def field_messages(err: DomainError) -> dict[str, str]:
    """The error's per-field messages in the user's language (marked with gettext_noop where
    they are written; a message without a translation stays as written)."""
    if err.code in _MACHINE_FIELDS:
        return dict(err.fields)
    return {k: _(v) if v else v for k, v in err.fields.items()}


def error_body(err: DomainError) -> dict[str, object]:
    return {
        "error": {"code": err.code, "message": error_message(err), "fields": field_messages(err)}
    }
