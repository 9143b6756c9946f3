"""Whose inactivity threshold: the site's, the strictest of the user's groups', or the user's own choice.

- The site's default `INACTIVITY_THRESHOLD` (the operator's) sits in the range `INACTIVITY_MIN`..`INACTIVITY_MAX`
  that groups' and users' thresholds are held to (checks.py warns when it does not).
- A **group policy** (set by staff in the admin) holds its members to its threshold, and optionally a shorter session
  maximum and its own warning lead time; in several groups, the strictest (shortest) applies. A group's threshold
  is also its members' **ceiling**: no choice of theirs and no activity type's window goes above it.
- A **user** may choose their own threshold anywhere in the site's range, never above their ceiling.

A policy is resolved when a session starts and kept on the session, so the per-request check reads it with the
session (no query of its own). A policy is a security control: when one changes, `policy_apply` shortens the
user's live sessions at once (threshold, ceiling, maximum); a longer policy waits for their next session.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from .clock import session_window_longest
from .conf import accounts_settings
from .models import GroupPolicy, LoginSession, UserPolicy
from .session_cache import session_cache_forget

MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


@dataclass(frozen=True)
class Policy:
    threshold: timedelta
    source: str  # "site", "group:<name>" or "user"
    ceiling: timedelta  # the longest idle window: the strictest group's threshold, else the site's maximum
    session_max: timedelta
    warning_seconds: int | None  # None: the site's
    minimum: timedelta  # the range the user may choose in
    maximum: timedelta


def _clamp(value: timedelta) -> timedelta:
    conf = accounts_settings()
    return min(max(value, conf.INACTIVITY_MIN), conf.INACTIVITY_MAX)


def policy_for(user) -> Policy:
    """Return the policy `user` is held to now (two queries: their groups' policies, their own choice)."""
    conf = accounts_settings()
    groups = list(GroupPolicy.objects.filter(group__user=user).select_related("group"))
    strictest = min(groups, key=lambda p: (p.inactivity_threshold_minutes, p.group.name), default=None)
    # The site's own default is the operator's to set (checks.py warns when it is outside the range): never clamped.
    site = conf.INACTIVITY_THRESHOLD
    ceiling = (
        max(conf.INACTIVITY_MAX, site) if strictest is None else _clamp(strictest.inactivity_threshold_minutes * MINUTE)
    )
    threshold, source = site, "site"
    if strictest is not None:
        threshold, source = ceiling, f"group:{strictest.group.name}"
    choice = UserPolicy.objects.filter(user=user).first()
    chosen = None if choice is None else _clamp(choice.inactivity_threshold_minutes * MINUTE)
    if chosen is not None and chosen <= ceiling:
        threshold, source = chosen, "user"
    maxima = [p.session_max_hours * HOUR for p in groups if p.session_max_hours]
    return Policy(
        threshold=threshold,
        source=source,
        ceiling=ceiling,
        session_max=min([conf.SESSION_MAX_AGE, *maxima]),
        warning_seconds=strictest.warning_seconds if strictest is not None else None,
        minimum=conf.INACTIVITY_MIN,
        maximum=min(ceiling, conf.INACTIVITY_MAX),
    )


def policy_apply(*, user) -> int:
    """Hold the user's live sessions to their policy now wherever it got stricter; return how many changed."""
    policy = policy_for(user)
    changed = 0
    for session in LoginSession.objects.filter(user=user, ended_at__isnull=True):
        updates = {}
        if policy.threshold < session.idle_threshold:
            updates.update(idle_threshold=policy.threshold, policy_source=policy.source)
        if policy.ceiling < session.idle_ceiling:
            updates["idle_ceiling"] = policy.ceiling
        if session.created_at + policy.session_max < session.expires_at:
            updates["expires_at"] = session.created_at + policy.session_max
        if not updates:
            continue
        for name, value in updates.items():
            setattr(session, name, value)
        # The stored deadline was earned under the old policy: cap it by the longest window the new one gives.
        session.idle_at = min(session.idle_at, session.last_activity + session_window_longest(session=session))
        LoginSession.objects.filter(pk=session.pk).update(idle_at=session.idle_at, **updates)
        changed += 1
    if changed:
        session_cache_forget(user_id=user.pk)
    return changed


def policy_choose(*, user, minutes: float | None) -> Policy:
    """Set the user's own threshold (the caller checked it is in their range), or with None forget it; apply the
    result to their live sessions; return their policy."""
    if minutes is None:
        UserPolicy.objects.filter(user=user).delete()
    else:
        UserPolicy.objects.update_or_create(user=user, defaults={"inactivity_threshold_minutes": minutes})
    policy_apply(user=user)
    return policy_for(user)


def session_policy_fields(*, user, now=None) -> dict:
    """The fields a new login session of `user` starts with: its policy, and its first deadline."""
    now = now or timezone.now()
    policy = policy_for(user)
    return {
        "expires_at": now + policy.session_max,
        "idle_at": now + policy.threshold,
        "idle_threshold": policy.threshold,
        "idle_ceiling": policy.ceiling,
        "warning_seconds": policy.warning_seconds,
        "policy_source": policy.source,
    }


def session_warning_seconds(session: LoginSession) -> float:
    """The session's warning lead time: its policy's or the site's, never more than half its threshold."""
    seconds = session.warning_seconds or accounts_settings().WARNING_SECONDS
    return min(seconds, session.idle_threshold.total_seconds() / 2)
