from django.db import migrations

# The admin's search indexes of 0004 stay on PostgreSQL, where the ten-million-row admin is the target
# (docs/PERFORMANCE.md, "Operator surfaces at scale"), and leave SQLite, where each made every insert and delete of
# the log dearer (pruning 1,000,000 rows: 85 s with them, 49 s without). The migration state forgets them on both,
# so that nothing later tries to alter an index SQLite does not have; PostgreSQL keeps them (activity/models.py).
SEARCH_INDEXES = {
    "activitylog_username_ts": '("username", "timestamp" DESC, "id" DESC)',
    "activitylog_ip_ts": '("ip", "timestamp" DESC, "id" DESC)',
    "activitylog_path_prefix": '("path")',
}


def drop_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in SEARCH_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name, columns in SEARCH_INDEXES.items():
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "activity_activitylog" {columns}')


class Migration(migrations.Migration):
    dependencies = [("activity", "0004_admin_search_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="activitylog", name=name) for name in SEARCH_INDEXES],
            database_operations=[migrations.RunPython(drop_on_sqlite, create_on_sqlite)],
        ),
    ]
