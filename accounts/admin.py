from django.contrib import admin, messages

from activity.admin import ReadOnlyModelAdmin

from .admin_login import ThrottledAdminLoginForm
from .models import LoginSession
from .sessions import session_end


@admin.register(LoginSession)
class LoginSessionAdmin(ReadOnlyModelAdmin):
    """Sessions are the system's to write; staff only look, and revoke."""

    list_display = ["id", "user", "created_at", "last_activity", "expires_at", "ended_at", "end_reason", "ip"]
    list_filter = ["end_reason", "created_at"]
    search_fields = ["user__username", "ip"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected sessions", permissions=["revoke"])
    def revoke(self, request, queryset):
        ended = sum(
            session_end(session=session, reason=LoginSession.EndReason.REVOKED, request=request)
            for session in queryset.filter(ended_at__isnull=True)
        )
        self.message_user(request, f"Revoked {ended} session(s).", messages.SUCCESS)

    def has_revoke_permission(self, request):
        return request.user.is_staff and request.user.has_perm("accounts.view_loginsession")


# Admin sign-ins go through the API login's throttles and leave SECURITY rows (accounts/admin_login.py).
admin.site.login_form = ThrottledAdminLoginForm
