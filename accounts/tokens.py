"""Tokens of a login session: SimpleJWT's, with `sub` as a string, `sid`, `issued_at`, and lazy lifetimes."""

from datetime import datetime

from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override
from rest_framework_simplejwt.exceptions import ExpiredTokenError, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import datetime_to_epoch

from .exceptions import TokenExpired

# What SimpleJWT's expiry check raises for a signed `exp` no datetime holds (10**20, 1e300): such a token is
# not valid (401), not a server error.
TIME_CLAIM_ERRORS = (OverflowError, ValueError, OSError)

# The claim that names a token's login session. Its only definition: the authentication reads it and hands the
# session on (request.auth.login_session, and to activity's recorder), nobody reads it again.
SESSION_CLAIM = "sid"


class SessionAccessToken(AccessToken):
    # SimpleJWT reads lifetimes into class attributes at import; read them per token so overrides apply.
    @property
    def lifetime(self):
        return simplejwt.api_settings.ACCESS_TOKEN_LIFETIME


class SessionRefreshToken(RefreshToken):
    access_token_class = SessionAccessToken

    @property
    def lifetime(self):
        return simplejwt.api_settings.REFRESH_TOKEN_LIFETIME


def token_pair_for_session(*, user, session_id: str, expires_at: datetime):
    """Return a new (refresh, access) pair for a login session; neither outlives the session."""
    refresh = SessionRefreshToken()
    refresh[simplejwt.api_settings.USER_ID_CLAIM] = str(getattr(user, simplejwt.api_settings.USER_ID_FIELD))
    refresh[SESSION_CLAIM] = session_id
    refresh["issued_at"] = refresh.current_time.isoformat()
    access = refresh.access_token
    cap = datetime_to_epoch(expires_at)
    for token in (refresh, access):
        token["exp"] = min(token["exp"], cap)
    return refresh, access


def token_parse(token_class, raw_token):
    """Return `token_class(raw_token)`, validated; any fault of the token is a 401: TokenExpired or InvalidToken."""
    try:
        return token_class(raw_token)
    except ExpiredTokenError:
        raise TokenExpired() from None
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from None
    except TIME_CLAIM_ERRORS:
        raise InvalidToken("Token has an invalid expiry") from None
