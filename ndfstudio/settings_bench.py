"""BENCHMARK ONLY: the baseline `make bench` compares against, stock SimpleJWT. Never use it in a deployment.

Everything this project adds on the request path (session checks, inactivity, activity recording) is off, leaving
SimpleJWT's own JWTAuthentication and AccessToken.
"""

from .settings import *  # noqa: F403
from .settings import MIDDLEWARE, REST_FRAMEWORK, SIMPLE_JWT

REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = ["rest_framework_simplejwt.authentication.JWTAuthentication"]
SIMPLE_JWT["AUTH_TOKEN_CLASSES"] = ("rest_framework_simplejwt.tokens.AccessToken",)
MIDDLEWARE = [m for m in MIDDLEWARE if m != "activity.middleware.ActivityMiddleware"]
