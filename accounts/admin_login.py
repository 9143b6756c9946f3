"""The admin's sign-in form: counted by the API login's throttles, its successes and failures SECURITY rows."""

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from rest_framework.exceptions import Throttled

from activity.models import ActivityLog
from activity.recording import activity_record

from .throttling import login_attempt_reserve, login_failure_record


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many failed sign-ins. Try again in %(seconds)d seconds.",
    }

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()  # the fields' own errors; no password was checked
        try:
            attempt = login_attempt_reserve(request=self.request, username=username)
        except Throttled as exc:
            seconds = math.ceil(exc.wait or 0)
            params = {"seconds": seconds}
            raise ValidationError(self.error_messages["throttled"], code="throttled", params=params) from None
        try:
            cleaned = super().clean()  # authenticate(), then staff and active only
        except ValidationError:
            login_failure_record(request=self.request, username=username, attempt=attempt, what="admin sign-in")
            raise
        finally:
            attempt.release()  # unless it failed
        user = self.get_user()
        activity_record(
            category=ActivityLog.Category.SECURITY,
            event="admin_login_succeeded",
            message=f"User {user.pk} signed in to the admin",
            request=self.request,
            user=user,
            status_code=302,
        )
        return cleaned
