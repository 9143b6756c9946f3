"""Login sessions: one per login, named by the `sid` claim of every token issued for it."""

import uuid
import weakref

from django.conf import settings
from django.db import connections, models
from django.db.models.query import get_related_populators

_MIRROR_SQL: dict[str, str] = {}  # the statement of mirror_activity, per database vendor
_LOOKUPS = weakref.WeakKeyDictionary()  # the compiled session-with-user lookup, per connection (so per thread)


class LoginSessionManager(models.Manager):
    def get_with_user(self, pk: uuid.UUID) -> "LoginSession | None":
        """Return the session with its user, in one query, or None: what authentication reads on every request.

        It is `select_related("user").filter(pk=pk)`, compiled once per connection: compiling this JOIN costs the
        ORM more than the database spends running it, and stock SimpleJWT's plain user lookup would not pay that.
        """
        connection = connections[self.db]
        lookup = _LOOKUPS.get(connection)
        if lookup is None:
            compiler = self.select_related("user").filter(pk=pk).order_by().query.get_compiler(self.db)
            sql, params = compiler.as_sql()  # also sets up compiler.select and compiler.klass_info
            assert len(params) == 1, params
            fields = compiler.klass_info["select_fields"]
            init_list = [column[0].target.attname for column in compiler.select[fields[0] : fields[-1] + 1]]
            populators = get_related_populators(compiler.klass_info, compiler.select, self.db)
            lookup = _LOOKUPS[connection] = (compiler, sql, init_list, slice(fields[0], fields[-1] + 1), populators)
        compiler, sql, init_list, own_columns, populators = lookup
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.model._meta.pk.get_db_prep_value(pk, connection)])
            row = cursor.fetchone()
        if row is None:
            return None
        row = next(compiler.results_iter([[row]]))  # the backend's converters, as the ORM applies them
        session = self.model.from_db(self.db, init_list, row[own_columns])
        for populator in populators:
            populator.populate(row, session)
        return session

    def mirror_activity(self, pk, at) -> int:
        """Move the session's last activity forward to `at` (never back); return the rows updated (0 or 1).

        This runs on every tracked request without a shared clock, and the ORM spends four times longer building
        `filter(...).update(...)` than the database spends running it; so the statement is built once.
        """
        connection = connections[self.db]
        sql = _MIRROR_SQL.get(connection.vendor)
        if sql is None:
            qn, meta = connection.ops.quote_name, self.model._meta
            column = qn("last_activity")
            sql = f"UPDATE {qn(meta.db_table)} SET {column} = %s WHERE {qn(meta.pk.column)} = %s AND {column} < %s"  # noqa: S608
            _MIRROR_SQL[connection.vendor] = sql
        at = self.model._meta.get_field("last_activity").get_db_prep_value(at, connection)
        pk = self.model._meta.pk.get_db_prep_value(uuid.UUID(str(pk)), connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [at, pk, at])
            return cursor.rowcount


class LoginSession(models.Model):
    class EndReason(models.TextChoices):
        LOGOUT = "logout", "Signed out"
        REVOKED = "revoked", "Revoked"
        INACTIVE = "inactive", "Inactive"
        EXPIRED = "expired", "Reached its maximum age"
        REUSE = "reuse", "Refresh token reuse"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="The session's absolute end, whatever its activity.")
    # A durable mirror of the activity clock, written at most once per write interval.
    last_activity = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    # The jti of the only refresh token of this session that may still be used; any other one is reuse.
    refresh_jti = models.CharField(max_length=64, editable=False)

    objects = LoginSessionManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="loginsession_user_created"),
            # What the admin filters and orders on.
            models.Index(fields=["-created_at"], name="loginsession_created"),
            models.Index(fields=["end_reason"], name="loginsession_end_reason"),
        ]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
