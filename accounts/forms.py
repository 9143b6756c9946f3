"""The Django session's sign-in forms (the admin's, the browsable API's): the API login's throttles and rows.

A success starts a login session (accounts/django_sessions.py, on Django's `user_logged_in`), which records it.
"""

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from rest_framework.exceptions import Throttled

from .throttling import login_attempt_reserve, login_failure_record


class ThrottledSignInMixin:
    what = "sign-in"
    error_messages = {"throttled": "Too many failed sign-ins. Try again in %(seconds)d seconds."}

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()  # the fields' own errors; no password was checked
        try:
            attempt = login_attempt_reserve(request=self.request, username=username)
        except Throttled as exc:
            params = {"seconds": math.ceil(exc.wait or 0)}
            raise ValidationError(self.error_messages["throttled"], code="throttled", params=params) from None
        try:
            return super().clean()  # authenticate(), and for the admin: staff and active only
        except ValidationError:
            login_failure_record(request=self.request, username=username, attempt=attempt, what=self.what)
            raise
        finally:
            attempt.release()  # unless it failed


class ThrottledAdminLoginForm(ThrottledSignInMixin, AdminAuthenticationForm):
    what = "admin sign-in"
    error_messages = {**AdminAuthenticationForm.error_messages, **ThrottledSignInMixin.error_messages}


class ThrottledLoginForm(ThrottledSignInMixin, AuthenticationForm):
    what = "browsable API sign-in"
    error_messages = {**AuthenticationForm.error_messages, **ThrottledSignInMixin.error_messages}
