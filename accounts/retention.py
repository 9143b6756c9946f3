"""Login sessions are kept as long as the activity log: one ended longer ago than the retention period is deleted.

Registered with activity's pruning (accounts/apps.py), so the command, the automatic hourly prune and the log's
cutoff are the same. A session counts as ended at the earliest of when it was ended (sign-out, revocation, ...) and
its maximum: a session nobody ever came back to is never marked ended, but it is over at its maximum whatever its
idle clock says. (Its idle deadline is earlier, but `idle_at` is rewritten while the session is used, and an index
on it would cost every such write; the maximum is fixed, so a forgotten session goes at most one session maximum
later than the rows of its last request.)

What refers to a session: a session recovered from it (`recovered_from`, set to NULL), a legacy refresh token's use
(`session`, set to NULL); the log's `session_id` is a plain UUID and stays. Tokens and Django sessions naming a
deleted session are refused as naming an unknown one; they expired long before anyway. A session is never deleted
within SESSION_RECOVERY of its end, whatever the cutoff (`--days 0`): it may still be recovered then.
"""

from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.db.models import Q

from activity.progress import Progress
from activity.retention import batches_delete

from .conf import accounts_settings
from .models import LoginSession


def login_sessions_prune(*, cutoff: datetime, now: datetime, batch_size: int, progress: Progress | None = None) -> int:
    """Delete the sessions that ended before `cutoff` (and before their recovery window), in batches; return how
    many."""
    before = min(cutoff, now - accounts_settings().SESSION_RECOVERY)
    old = LoginSession.objects.filter(Q(ended_at__lt=before) | Q(expires_at__lt=before))
    return batches_delete(old, what="login sessions", batch_size=batch_size, progress=progress)


def django_sessions_prune(*, cutoff: datetime, now: datetime, batch_size: int, progress: Progress | None = None) -> int:
    """Delete the Django sessions (the admin's and the browsable API's cookie) past their expiry, in batches; return
    how many. What `manage.py clearsessions` does, which nothing ran: their table only grew. An expired one is
    refused whatever the cutoff, so it goes at once; none of a cache-only session engine is kept in the database."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):  # not a database-backed engine
        return 0
    expired = store.get_model_class().objects.filter(expire_date__lt=now)
    return batches_delete(expired, what="django sessions", batch_size=batch_size, progress=progress)
