"""The auth app's news about a user: a password change or a deactivation ends every session of that user; a
change of their groups or policies holds their live sessions to a stricter policy at once; any save or deletion
makes the snapshots of their sessions stale (accounts/session_cache.py).

However it is made (the admin, `set_password` then `save`, a management command), it goes through the user's
`save`, so the receivers see it; a bulk `QuerySet.update` does not, and is not used for either.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import GroupPolicy, LoginSession, UserPolicy
from .policies import policy_apply
from .session_cache import session_cache_forget
from .sessions import sessions_end_all

EndReason = LoginSession.EndReason
CREDENTIALS = {"password", "is_active"}


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def credentials_compare(sender, instance, raw=False, update_fields=None, **kwargs):
    """Note whether this save changes the password or deactivates the user (one query, only when it may)."""
    instance._credentials_changed = None
    if raw or instance._state.adding or (update_fields is not None and not CREDENTIALS & set(update_fields)):
        return  # e.g. update_last_login, which saves last_login alone on every login
    before = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["is_active"] and not instance.is_active:
        instance._credentials_changed = EndReason.USER_DEACTIVATED
    elif before["password"] != instance.password:
        instance._credentials_changed = EndReason.PASSWORD_CHANGED


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def sessions_end_on_credentials_change(sender, instance, raw=False, **kwargs):
    reason = instance.__dict__.pop("_credentials_changed", None)
    if reason is not None and not raw:
        sessions_end_all(user=instance, reason=reason)


@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL)
def session_snapshots_forget(sender, instance, **kwargs):
    """Any save (a new username, staff status, last login...) or deletion of a user: the snapshots of their
    sessions, which carry the user, are stale."""
    session_cache_forget(user_id=instance.pk)


# --- policies: a policy that got stricter applies to the user's live sessions at once (accounts/policies.py) ---


@receiver([post_save, post_delete], sender=GroupPolicy)
def group_policy_changed(sender, instance, **kwargs):
    for user in get_user_model().objects.filter(groups__pk=instance.group_id):
        policy_apply(user=user)


@receiver([post_save, post_delete], sender=UserPolicy)
def user_policy_changed(sender, instance, **kwargs):
    policy_apply(user=instance.user)


@receiver(m2m_changed, sender=get_user_model().groups.through)
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    users = get_user_model().objects.filter(pk__in=pk_set) if reverse else [instance]
    if reverse and action == "post_clear":
        return  # a group emptied: its former members only lost a policy, which applies from their next session
    for user in users:
        policy_apply(user=user)
