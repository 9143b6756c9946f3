"""What a row keeps of a request: the client's IP, the path with secrets redacted."""

import pytest
from django.test import RequestFactory

from activity.request_info import request_ip, request_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/a/", "/a/"),
        ("/a/?page=2", "/a/?page=2"),
        (
            "/a/?access=abc&refresh=def&password=p&Token=t",
            "/a/?access=[redacted]&refresh=[redacted]&password=[redacted]&Token=[redacted]",
        ),
        ("/a/?q=" + "x" * 1000, "/a/?q=" + "x" * 506),
        # RFC 6750's own name and its cousins, whatever their case or separators
        (
            "/a/?access_token=1&refresh_token=2&id_token=3&client_secret=4&apikey=5&pwd=6&pass=7&X-Api-Key=8",
            "/a/?access_token=[redacted]&refresh_token=[redacted]&id_token=[redacted]&client_secret=[redacted]"
            "&apikey=[redacted]&pwd=[redacted]&pass=[redacted]&X-Api-Key=[redacted]",
        ),
        # by value: a JWT or a long secret under any name, and in the path itself
        ("/a/?q=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "/a/?q=[redacted]"),
        ("/a/sk_live_4eC39HqLyjWDarjtT1zdp7dc9f2a/?page=2", "/a/[redacted]/?page=2"),
        # a session id is a UUID, not a secret: kept
        (
            "/api/auth/sessions/0b6e4c3a-1f2d-4e5f-8a9b-0c1d2e3f4a5b",
            "/api/auth/sessions/0b6e4c3a-1f2d-4e5f-8a9b-0c1d2e3f4a5b",
        ),
        # control characters escaped, NUL included
        ("/a/%00%0d%0a%1b/?q=%00", "/a/\\x00\\x0d\\x0a\\x1b/?q=%00"),
    ],
)
def test_request_path_redacts_and_truncates(url, expected):
    assert request_path(RequestFactory().get(url)) == expected


def test_sensitive_names_are_configurable(settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "EXTRA_SENSITIVE_QUERY_PARAMS": ("order_ref",)}
    assert request_path(RequestFactory().get("/a/?Order-Ref=9&page=2")) == "/a/?Order-Ref=[redacted]&page=2"


def test_request_without_a_client_address_has_no_ip():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert request_ip(request) is None
