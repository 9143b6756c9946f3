"""Inactivity policies: per group and per user; each login session keeps the policy it is held to, and its deadline."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def fill_sessions(apps, schema_editor):
    """Sessions from before policies are held to the site's policy, as they were."""
    conf = getattr(settings, "ACCOUNTS", {})
    threshold = conf.get("INACTIVITY_THRESHOLD", timedelta(minutes=20))
    ceiling = conf.get("INACTIVITY_MAX", timedelta(minutes=60))
    LoginSession = apps.get_model("accounts", "LoginSession")
    LoginSession.objects.update(
        idle_at=F("last_activity") + threshold, idle_threshold=threshold, idle_ceiling=max(ceiling, threshold)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_legacy_tokens_and_credential_endings"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField("loginsession", "idle_at", models.DateTimeField(null=True)),
        migrations.AddField("loginsession", "idle_type", models.CharField(default="login", max_length=16)),
        migrations.AddField(
            "loginsession", "idle_threshold", models.DurationField(null=True, help_text="Idle this long, it ends.")
        ),
        migrations.AddField(
            "loginsession",
            "idle_ceiling",
            models.DurationField(null=True, help_text="The longest idle window any activity may earn it."),
        ),
        migrations.AddField(
            "loginsession",
            "warning_seconds",
            models.PositiveIntegerField(blank=True, help_text="Empty: the site's.", null=True),
        ),
        migrations.AddField(
            "loginsession",
            "policy_source",
            models.CharField(default="site", help_text="site, group:<name> or user", max_length=160),
        ),
        migrations.RunPython(fill_sessions, migrations.RunPython.noop),
        migrations.AlterField("loginsession", "idle_at", models.DateTimeField()),
        migrations.AlterField(
            "loginsession", "idle_threshold", models.DurationField(help_text="Idle this long, it ends.")
        ),
        migrations.AlterField(
            "loginsession",
            "idle_ceiling",
            models.DurationField(help_text="The longest idle window any activity may earn it."),
        ),
        migrations.CreateModel(
            name="GroupPolicy",
            fields=[
                (
                    "group",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="inactivity_policy",
                        serialize=False,
                        to="auth.group",
                    ),
                ),
                (
                    "inactivity_threshold_minutes",
                    models.FloatField(help_text="Also the most a member may choose for themselves."),
                ),
                ("session_max_hours", models.FloatField(blank=True, help_text="Empty: the site's.", null=True)),
                (
                    "warning_seconds",
                    models.PositiveIntegerField(blank=True, help_text="Empty: the site's.", null=True),
                ),
            ],
            options={
                "verbose_name": "group inactivity policies",
                "verbose_name_plural": "group inactivity policies",
            },
        ),
        migrations.CreateModel(
            name="UserPolicy",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="inactivity_policy",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("inactivity_threshold_minutes", models.FloatField()),
            ],
            options={"verbose_name": "user inactivity choices", "verbose_name_plural": "user inactivity choices"},
        ),
    ]
