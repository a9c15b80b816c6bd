"""Extension points for the apps built on orders (dispatch, parts, care, warranty).

`order_acted` is sent inside the action's transaction, after the order row and its event are
written: a receiver that raises rolls the whole action back, so what it schedules (a
follow-up call, an old-part return, a penalty) exists exactly when the action does.
Receivers get: order, event, action (Action), from_status and to_status (Status), actor, now.
"""

from __future__ import annotations

from django.dispatch import Signal

order_acted = Signal()
