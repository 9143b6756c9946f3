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
    ],
)
def test_request_path_redacts_and_truncates(url, expected):
    assert request_path(RequestFactory().get(url)) == expected


def test_request_without_a_client_address_has_no_ip():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert request_ip(request) is None
