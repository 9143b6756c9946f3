"""The prepared statements of the per-request path give what the plain ORM gives, on every backend."""

import uuid
from datetime import timedelta

import pytest
from django.test import RequestFactory

from accounts import prepared, sessions
from accounts.models import LoginSession
from conftest import T0

pytestmark = pytest.mark.django_db


class TestLookup:
    def test_get_with_user_is_what_the_orm_returns(self, session, user, django_assert_num_queries):
        orm = prepared.session_with_user_orm(session.pk)
        with django_assert_num_queries(1):
            found = prepared.session_with_user(session.pk)
            assert found.user.username == "alice"  # the user came with it
        for field in LoginSession._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
        for field in type(user)._meta.concrete_fields:
            assert getattr(found.user, field.attname) == getattr(orm.user, field.attname), field.name
        assert found.expires_at.tzinfo is not None  # the backend's converters were applied

    def test_unknown_session(self, session):
        assert prepared.session_with_user(uuid.uuid4()) is None

    def test_unknown_session_by_the_orm(self, session):
        assert prepared.session_with_user_orm(uuid.uuid4()) is None


class TestAdvance:
    @pytest.mark.parametrize("seconds", [-60, 0, 1, 3600])
    def test_same_as_the_orm(self, session, user, seconds):
        other, _, _ = sessions.session_start(user=user, request=RequestFactory().get("/"), now=T0)
        at = T0 + timedelta(seconds=seconds)
        moved = {"at": at, "idle_at": at + timedelta(minutes=20), "idle_type": "write"}
        assert prepared.last_activity_advance(session.pk, **moved) == prepared.last_activity_advance_orm(
            other.pk, **moved
        )
        fields = ("last_activity", "idle_at", "idle_type")
        mine, theirs = (LoginSession.objects.values_list(*fields).get(pk=s.pk) for s in (session, other))
        later = at + timedelta(minutes=20) > T0 + timedelta(minutes=20)
        assert mine == theirs == (max(T0, at), max(T0, at) + timedelta(minutes=20), "write" if later else "login")

    @pytest.mark.parametrize("seconds", [-60, 0, 30])
    def test_a_shorter_window_never_moves_the_deadline_back(self, session, user, seconds):
        other, _, _ = sessions.session_start(user=user, request=RequestFactory().get("/"), now=T0)
        at = T0 + timedelta(seconds=seconds)
        moved = {"at": at, "idle_at": at + timedelta(minutes=1), "idle_type": "ping"}
        prepared.last_activity_advance(session.pk, **moved)
        prepared.last_activity_advance_orm(other.pk, **moved)
        fields = ("last_activity", "idle_at", "idle_type")
        mine, theirs = (LoginSession.objects.values_list(*fields).get(pk=s.pk) for s in (session, other))
        assert mine == theirs == (max(T0, at), T0 + timedelta(minutes=20), "login")

    def test_unknown_session(self):
        unknown = uuid.uuid4()
        moved = {"at": T0, "idle_at": T0, "idle_type": "read"}
        assert (
            prepared.last_activity_advance(unknown, **moved)
            == prepared.last_activity_advance_orm(unknown, **moved)
            == 0
        )
