"""The admin of login sessions and users: sessions are read-only and revocable; users' sessions can all be ended."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone

from activity.admin import ReadOnlyModelAdmin

from .clock import session_clock_read
from .forms import ThrottledAdminLoginForm
from .models import GroupPolicy, LoginSession, UserPolicy
from .sessions import session_end, sessions_end_all

User = get_user_model()


@admin.register(LoginSession)
class LoginSessionAdmin(ReadOnlyModelAdmin):
    """Sessions are the system's to write; staff only look, and revoke."""

    list_display = ["id", "user", "kind", "state", "policy", "created_at", "last_activity", "expires_at", "ip"]
    list_filter = ["kind", "end_reason", "created_at"]
    search_fields = ["user__username", "ip"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    actions = ["revoke"]

    @admin.display(description="Idle policy")
    def policy(self, session) -> str:
        minutes = session.idle_threshold.total_seconds() / 60
        return f"{minutes:g} min ({session.policy_source})"

    @admin.display(description="State now")
    def state(self, session) -> str:
        """The session as the rules see it now, without waiting for its next request."""
        if session.ended_at is not None:
            return f"ended {session.ended_at:%Y-%m-%d %H:%M:%S} ({session.get_end_reason_display().lower()})"
        idle_at = session_clock_read(session=session).idle_at
        if timezone.now() < idle_at:
            return f"active until {idle_at:%H:%M:%S} unless used"
        if idle_at >= session.expires_at:
            return f"past its maximum since {idle_at:%Y-%m-%d %H:%M:%S}"
        return f"idle since {idle_at:%Y-%m-%d %H:%M:%S}"

    @admin.action(description="Revoke the selected sessions", permissions=["revoke"])
    def revoke(self, request, queryset):
        ended = sum(
            session_end(session=session, reason=LoginSession.EndReason.REVOKED, request=request, actor=request.user)
            for session in queryset.filter(ended_at__isnull=True).select_related("user")
        )
        self.message_user(request, f"Revoked {ended} session(s).", messages.SUCCESS)

    def has_revoke_permission(self, request):
        return request.user.is_staff and request.user.has_perm("accounts.view_loginsession")


@admin.register(GroupPolicy)
class GroupPolicyAdmin(admin.ModelAdmin):
    """Staff hold a group's members to a threshold (and optionally a session maximum and warning lead time).

    Saving a stricter one shortens the members' live sessions at once (accounts/receivers.py).
    """

    list_display = ["group", "inactivity_threshold_minutes", "session_max_hours", "warning_seconds"]
    search_fields = ["group__name"]


@admin.register(UserPolicy)
class UserPolicyAdmin(admin.ModelAdmin):
    """Users' own choices (they set them in the web UI or with PUT /api/auth/policy); staff may look or remove."""

    list_display = ["user", "inactivity_threshold_minutes"]
    search_fields = ["user__username"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _end_all(request, users) -> int:
    reason = LoginSession.EndReason.REVOKED
    return sum(sessions_end_all(user=user, reason=reason, request=request, actor=request.user) for user in users)


@admin.action(description="End all sessions of the selected users", permissions=["change"])
def end_all_sessions(modeladmin, request, queryset):
    modeladmin.message_user(request, f"Ended {_end_all(request, queryset)} session(s).", messages.SUCCESS)


class SessionsUserAdmin(UserAdmin):
    """Django's user admin, plus "End all sessions" as an action and as a button on a user's page."""

    actions = [end_all_sessions]
    change_form_template = "admin/accounts/user_change_form.html"

    def get_urls(self):
        end_all = self.admin_site.admin_view(self.end_all_view)
        return [path("<path:object_id>/end-sessions/", end_all, name="auth_user_end_sessions"), *super().get_urls()]

    def end_all_view(self, request, object_id):
        user = get_object_or_404(User, pk=object_id)
        if request.method != "POST" or not self.has_change_permission(request, user):
            return redirect(reverse("admin:auth_user_change", args=[user.pk]))
        self.message_user(request, f"Ended {_end_all(request, [user])} session(s) of {user}.", messages.SUCCESS)
        return redirect(reverse("admin:auth_user_change", args=[user.pk]))


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, SessionsUserAdmin)

# Admin sign-ins go through the API login's throttles and leave SECURITY rows (accounts/forms.py).
admin.site.login_form = ThrottledAdminLoginForm
