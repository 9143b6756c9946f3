"""The plainly built answer of /api/auth/me agrees with the serializer the schema describes."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.serializers import MeSerializer, me_data

pytestmark = pytest.mark.django_db


def both(user, request):
    return me_data(user, request=request), dict(MeSerializer(user, context={"request": request}).data)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_me_data_is_the_serializers_answer(make_user, session, zone):
    staff = make_user("sam", email="", first_name="Sam", last_name="Ö", is_staff=True)
    staff.last_login = datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=UTC)
    in_session = SimpleNamespace(auth=SimpleNamespace(login_session=session))
    legacy = SimpleNamespace(auth=None, _request=SimpleNamespace())  # a token from before sessions
    with timezone.override(zone):
        for user in (staff, session.user):
            for request in (in_session, legacy):
                ours, theirs = both(user, request)
                assert ours == theirs
                assert list(ours) == list(theirs)  # the same order of keys, so the same JSON
        assert both(staff, in_session)[0]["last_login"] == (
            "2026-01-05T09:30:15.123456Z" if zone == "UTC" else "2026-01-05T10:30:15.123456+01:00"
        )
    assert both(session.user, legacy)[0]["session_id"] is None
    assert both(session.user, in_session)[0]["session_id"] == str(session.pk)
