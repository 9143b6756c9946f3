"""Login sessions of the Django session cookie: the admin's and the browsable API's sign-ins.

Signing in with Django's `login()` (the admin, `/api-auth/login/`) starts a login session like the token endpoint's,
remembered in the Django session; every request on the cookie is then held to the same rules before its view runs
(`accounts/middleware.py`), and ending the login session ends the Django session.
"""

import uuid

from django.contrib import auth
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework_simplejwt.exceptions import InvalidToken

from activity.tracking import request_accepted

from .clock import session_clock_record
from .models import LoginSession
from .prepared import session_with_user
from .sessions import session_check, session_end, session_start

SESSION_KEY = "_ndf_login_session"  # in the Django session: the id of its login session


@receiver(user_logged_in)
def start_login_session(sender, *, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    session, _, _ = session_start(user=user, request=request, kind=LoginSession.Kind.DJANGO)
    request.session[SESSION_KEY] = str(session.pk)
    request.session.set_expiry(session.expires_at)  # the cookie never outlives the login session
    request.login_session = session


@receiver(user_logged_out)
def end_login_session(sender, *, request, user, **kwargs):
    session_id = getattr(request, "session", {}).get(SESSION_KEY)
    if session_id is None:
        return
    session = LoginSession.objects.filter(pk=session_id).select_related("user").first()
    if session is not None:
        session_end(session=session, reason=LoginSession.EndReason.LOGOUT, request=request)


def django_session_user(request):
    """Return the login session the request's Django session belongs to, checked now, with its user; or None.

    Raises what the token path raises (TokenInactive, TokenExpired, SessionEnded, InvalidToken) when the login
    session may not be used; the caller signs the Django session out. One query: the session with its user, which
    also stands in for the user lookup of Django's AuthenticationMiddleware.
    """
    session_id = request.session.get(SESSION_KEY)
    user_id = request.session.get(auth.SESSION_KEY)
    if session_id is None:
        if user_id is not None:  # signed in before login sessions existed, or the key was tampered with
            raise InvalidToken("This sign-in has no login session")
        return None
    try:
        session = session_with_user(uuid.UUID(str(session_id)))
    except ValueError:
        session = None
    if session is None or str(session.user_id) != str(user_id) or not session.user.is_active:
        raise InvalidToken("This sign-in names an unknown login session")
    # As Django's get_user(): a changed password invalidates the Django session.
    if not constant_time_compare(request.session.get(auth.HASH_SESSION_KEY, ""), session.user.get_session_auth_hash()):
        raise InvalidToken("The password changed since this sign-in")
    now = timezone.now()
    session_check(session=session, now=now, request=request)
    tracked = request_accepted(request, user=session.user, session_id=str(session.pk), at=now, kind=session.kind)
    if tracked is not None:
        session_clock_record(session=session, at=now, activity_type=tracked.activity_type.type)
    return session
