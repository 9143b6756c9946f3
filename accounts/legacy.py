"""Tokens from before login sessions (no `sid`): accepted, so an upgrade logs nobody out, but only while young.

A legacy token is accepted only while younger than the token lifetime by its own `iat` (whatever its `exp` says),
never once its user has signed out, changed password or been deactivated since it was issued, and a legacy refresh
token only once. These checks cost the legacy path a query or two; tokens with a `sid` never come here.
"""

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override
from rest_framework_simplejwt.exceptions import InvalidToken

from .conf import accounts_settings
from .exceptions import SessionEnded, TokenExpired
from .models import LegacyRefreshUse, LegacyTokenCutoff, LoginSession


def _rejected(exc_class, detail, *, user_id=None):
    exc = exc_class(detail)
    exc.user_id = user_id  # for the SECURITY row (accounts/rejections.py)
    return exc


def _issued_at(token) -> datetime:
    iat = token.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise InvalidToken("Token without a session has no usable iat")
    return datetime.fromtimestamp(iat, tz=UTC)


def legacy_user_for_token(token, *, now: datetime):
    """Return the active user of a legacy token (one query), or raise if the token may not be used at `now`."""
    if not accounts_settings().ACCEPT_LEGACY_TOKENS:
        raise InvalidToken("Token has no session")
    issued_at = _issued_at(token)
    if now - issued_at >= accounts_settings().token_lifetime:
        raise TokenExpired("Token expired: tokens without a session last at most the token lifetime.")
    conf = simplejwt.api_settings
    try:
        lookup = {conf.USER_ID_FIELD: str(token[conf.USER_ID_CLAIM])}
        user = get_user_model().objects.select_related("legacy_token_cutoff").filter(**lookup).first()
    except (KeyError, ValueError, TypeError, ValidationError):
        user = None
    if user is None or not user.is_active:
        raise InvalidToken("Token names an unknown or inactive user")
    cutoff = getattr(user, "legacy_token_cutoff", None)
    # `iat` has whole seconds: a token of the very second of a sign-out counts as issued before it (fail closed).
    if cutoff is not None and issued_at <= cutoff.at:
        raise _rejected(SessionEnded, "Session ended: its user signed out after it was issued.", user_id=user.pk)
    return user


def legacy_tokens_cut(*, user_id, at: datetime) -> None:
    """Refuse, from now on, every legacy token of the user issued at or before `at`."""
    LegacyTokenCutoff.objects.update_or_create(user_id=user_id, defaults={"at": at})


class LegacyRefreshReused(Exception):
    """A legacy refresh token used before; `session` is the one its first use started, if it still exists."""

    def __init__(self, session: LoginSession | None):
        super().__init__("legacy refresh token reused")
        self.session = session


def legacy_refresh_use(token, *, now: datetime) -> LegacyRefreshUse:
    """Note the one use of a legacy refresh token (the caller links the session it starts); raise
    LegacyRefreshReused if it was used before. Two concurrent uses: the primary key lets only one through."""
    jti = token.get(simplejwt.api_settings.JTI_CLAIM)
    if not isinstance(jti, str) or not jti:
        raise InvalidToken("Token without a session has no jti")
    LegacyRefreshUse.objects.filter(expires_at__lt=now).delete()  # too old to be accepted anyway
    expires_at = _issued_at(token) + accounts_settings().token_lifetime + timedelta(seconds=1)
    try:
        with transaction.atomic():
            return LegacyRefreshUse.objects.create(jti=jti[:255], expires_at=expires_at)
    except IntegrityError:
        first = LegacyRefreshUse.objects.select_related("session").filter(jti=jti[:255]).first()
        raise LegacyRefreshReused(first.session if first is not None else None) from None
