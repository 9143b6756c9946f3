"""JWT_SIGNING_KEY, when set, signs the tokens instead of SECRET_KEY (SimpleJWT reads it once, at start)."""

import jwt
import pytest

from tests.live import SECRET_KEY, server_env, sqlite_url, start_server

pytestmark = pytest.mark.live

SIGNING_KEY = "a-separate-jwt-signing-key-for-the-test-0123456789"


def test_tokens_are_signed_with_jwt_signing_key(tmp_path):
    env = server_env(DATABASE_URL=sqlite_url(tmp_path / "db.sqlite3"), JWT_SIGNING_KEY=SIGNING_KEY)
    with start_server(env, users={"alice": "pw-alice-123"}) as server:
        access = server.login("alice", "pw-alice-123")["access"]
        claims = jwt.decode(access, SIGNING_KEY, algorithms=["HS256"], audience="ndfstudio")
        assert claims["token_type"] == "access"
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(access, SECRET_KEY, algorithms=["HS256"], audience="ndfstudio")
        # A token forged with SECRET_KEY is refused.
        forged = jwt.encode(claims, SECRET_KEY, algorithm="HS256")
        reply = server.call("GET", "/api/auth/me", token=forged)
        assert (reply.status, reply.code) == (401, "token_not_valid")
        assert server.call("GET", "/api/auth/me", token=access).status == 200
