"""Follow the activity app's signals: keep each session's durable last-activity mirror."""

from django.dispatch import receiver

from activity.signals import session_active

from .sessions import session_touch


@receiver(session_active)
def mirror_last_activity(sender, *, session_id, at, force, **kwargs):
    session_touch(session_id=session_id, at=at, force=force)
