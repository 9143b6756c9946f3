"""The OpenAPI schema: every operation also documents the errors it can answer, in their one shape."""

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error (ndfstudio/exceptions.py)."""

    detail = serializers.CharField(help_text="A sentence saying what went wrong.")
    code = serializers.CharField(help_text="A stable snake_case code, e.g. `token_inactive`.")
    errors = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="Validation errors only: each field's messages."
    )


def error(codes: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=codes)


BAD_REQUEST = error(
    "`parse_error` (the body is not JSON), a field's code (`required`, `blank`, `invalid`...) "
    "with `errors`, or `invalid_parameter`."
)
UNAUTHORIZED = error(
    "`token_inactive`, `token_expired`, `session_ended`, `token_not_valid`, "
    "`not_authenticated`, or `no_active_account` (wrong credentials). With `WWW-Authenticate`."
)
UNSUPPORTED_MEDIA_TYPE = error("`unsupported_media_type`: a body that is not JSON, a form, or multipart.")
THROTTLED = error("`throttled`: too many failed logins; retry after `Retry-After` seconds.")
UNAVAILABLE = error("`service_unavailable`: the database or cache is away; retry after `Retry-After` seconds.")


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the errors any operation may answer: what its view says it answers beyond
    these (403, 404) it declares itself with `extend_schema`."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {"401": UNAUTHORIZED, "503": UNAVAILABLE}  # every operation authenticates a token sent along
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            errors["400"], errors["415"] = BAD_REQUEST, UNSUPPORTED_MEDIA_TYPE
        if any(parameter["in"] == "query" for parameter in self._get_parameters()):
            errors["400"] = BAD_REQUEST
        if getattr(self.view, "throttle_classes", ()):
            errors["429"] = THROTTLED
        for status, response in errors.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(response, status, direction=direction)
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # DRF's CharField refuses NUL (400 null_characters_not_allowed): say so, or NUL is "valid" input.
        validators = getattr(field, "validators", ())
        if direction == "request" and any(isinstance(v, ProhibitNullCharactersValidator) for v in validators):
            schema.setdefault("pattern", "^[^\\u0000]*$")
        return schema
