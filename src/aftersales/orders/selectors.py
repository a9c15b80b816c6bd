"""Every read of orders goes through `orders_for_user`, so object permissions cannot be skipped."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from aftersales.accounts.models import Outlet, User
from aftersales.domain.codes import OPEN_STATUSES, Role
from aftersales.domain.errors import DomainError

from .models import Order

_NETWORK_WIDE = {Role.ADMIN, Role.MANAGER}
_OUTLET_WIDE = {Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.PARTS_KEEPER}
# Roles that work with the customer and so see phones and addresses unmasked.
_PERSONAL = {Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}


def sees_whole_network(user: User) -> bool:
    roles = user.role_set
    # A supervisor without an outlet oversees the whole network.
    return bool(roles & _NETWORK_WIDE) or (user.outlet_id is None and Role.SUPERVISOR in roles)


def outlets_for_user(user: User) -> QuerySet[Outlet]:
    """The outlets whose figures, stock and plans a user sees: every outlet for whoever
    oversees the network, else the user's own (none without one)."""
    if sees_whole_network(user):
        return Outlet.objects.all()
    if user.outlet_id is None:
        return Outlet.objects.none()
    return Outlet.objects.filter(pk=user.outlet_id)


def may_work_for_outlet(user: User, outlet_id: int) -> bool:
    """Receiving an order for an outlet: its own staff (technicians self-receive, O-1) or
    someone who oversees the network."""
    return sees_whole_network(user) or user.outlet_id == outlet_id


def visibility_q(user: User) -> Q | None:
    """None means everything; an empty Q(pk__in=[]) means nothing."""
    roles = user.role_set
    if sees_whole_network(user):
        return None
    q = Q(pk__in=[])
    if roles & _OUTLET_WIDE and user.outlet_id is not None:
        q |= Q(outlet_id=user.outlet_id)
    if Role.TECHNICIAN in roles:
        q |= Q(assignee_id=user.pk)
    return q


def orders_for_user(user: User) -> QuerySet[Order]:
    qs = Order.objects.all()
    q = visibility_q(user)
    return qs if q is None else qs.filter(q)


def order_get_for_user(user: User, number: str, *, for_update: bool = False) -> Order:
    qs = orders_for_user(user)
    if for_update:
        qs = qs.select_for_update()
    order = qs.filter(number=number).first()
    if order is None:
        raise DomainError("not_found", f"No order {number}.", status=404, number=number)
    return order


def sees_personal_data(user: User, order: Order | None = None) -> bool:
    roles = user.role_set
    if roles & _PERSONAL:
        return True
    return Role.TECHNICIAN in roles and order is not None and order.assignee_id == user.pk


def order_list(
    user: User,
    *,
    status: list[str] | None = None,
    assignee: str | None = None,
    overdue: bool | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    q: str | None = None,
    now: datetime,
) -> QuerySet[Order]:
    qs = orders_for_user(user).select_related("assignee", "outlet")
    if status:
        qs = qs.filter(status__in=status)
    if assignee:
        qs = qs.filter(assignee__username=assignee)
    if overdue is True:
        # Most overdue first: what a clerk chases, and what the partial index serves.
        qs = qs.filter(status__in=[s.value for s in OPEN_STATUSES], sla_due_at__lt=now)
        return qs.order_by("sla_due_at", "pk")
    elif overdue is False:
        qs = qs.exclude(status__in=[s.value for s in OPEN_STATUSES], sla_due_at__lt=now)
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__lt=created_to)
    if q:
        q = q.strip()
        qs = qs.filter(Q(number=q) | Q(source_ref=q) | Q(contact_name__startswith=q))
    return qs.order_by("-created_at", "-pk")


def backlog(user: User, *, older_than_hours: int, now: datetime) -> QuerySet[Order]:
    """O-12: open orders older than the threshold, oldest first."""
    return (
        orders_for_user(user)
        .filter(
            status__in=[s.value for s in OPEN_STATUSES],
            created_at__lt=now - timedelta(hours=older_than_hours),
        )
        .select_related("assignee", "received_by", "outlet")
        .order_by("created_at", "pk")
    )
