"""OpenAPI description of the authentication (drf-spectacular finds extensions once they are imported)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class InactivityJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.InactivityJWTAuthentication"
    name = "jwtAuth"
