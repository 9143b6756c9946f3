"""System checks that warn about contradictory or unsafe configuration."""

from datetime import timedelta

from django.conf import settings
from django.core.checks import Warning, register
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override

from activity.types import activity_types

from .clock import write_interval
from .conf import accounts_settings


@register()
def check_inactivity_policy(app_configs, **kwargs):
    conf = accounts_settings()
    threshold = conf.INACTIVITY_THRESHOLD
    problems = []
    if conf.WARNING_SECONDS > threshold.total_seconds() / 2:
        problems.append(
            Warning(
                "INACTIVITY_WARNING_SECONDS is more than half the inactivity threshold; the UI warns after half of it.",
                hint="Lower INACTIVITY_WARNING_SECONDS or raise INACTIVITY_THRESHOLD_MINUTES.",
                id="accounts.W001",
            )
        )
    if threshold >= conf.SESSION_MAX_AGE:
        problems.append(
            Warning(
                "The inactivity threshold is not shorter than the session maximum, so it never applies.",
                hint="Lower INACTIVITY_THRESHOLD_MINUTES or raise SESSION_MAX_HOURS.",
                id="accounts.W002",
            )
        )
    if simplejwt.api_settings.ACCESS_TOKEN_LIFETIME > conf.SESSION_MAX_AGE:
        problems.append(
            Warning(
                "MAX_TOKEN_LIFETIME_MINUTES exceeds the session maximum; tokens are capped at the session's end.",
                id="accounts.W003",
            )
        )
    if write_interval() > threshold / 10:
        problems.append(
            Warning(
                "The last-activity write interval is more than a tenth of the threshold; idle sign-outs may come late.",
                id="accounts.W004",
            )
        )
    return problems


@register()
def check_signing_key(app_configs, **kwargs):
    key = simplejwt.api_settings.SIGNING_KEY
    if simplejwt.api_settings.ALGORITHM.startswith("HS") and len(str(key).encode()) < 32:
        return [
            Warning(
                "The JWT signing key (JWT_SIGNING_KEY, else SECRET_KEY) is shorter than 32 bytes; HS256 tokens signed "
                "with it can be brute-forced (RFC 7518, 3.2).",
                hint="Use a random key of 32 bytes or more: secrets.token_urlsafe(48) makes one.",
                id="accounts.W005",
            )
        ]
    return []


@register(deploy=True)
def check_secret_key_source(app_configs, **kwargs):
    if getattr(settings, "SECRET_KEY_FROM_FILE", False):
        return [
            Warning(
                f"SECRET_KEY is not set: this install signs with the random key it generated on its first run, kept "
                f"in {settings.SECRET_KEY_FILE}. Every server process must read the same file; losing it signs "
                "everyone out.",
                hint="Set SECRET_KEY (secrets.token_urlsafe(48)) in the environment of every server process.",
                id="accounts.W006",
            )
        ]
    return []


@register()
def check_policies(app_configs, **kwargs):
    """The site's default inside the range groups and users are held to; activity types that can all be reached."""
    conf = accounts_settings()
    problems = []
    if not conf.INACTIVITY_MIN <= conf.INACTIVITY_THRESHOLD <= conf.INACTIVITY_MAX:
        problems.append(
            Warning(
                "INACTIVITY_THRESHOLD_MINUTES is outside INACTIVITY_MIN_MINUTES..INACTIVITY_MAX_MINUTES.",
                hint="Groups and users choose within that range; the site's default should too.",
                id="accounts.W007",
            )
        )
    rules = activity_types()
    for index, rule in enumerate(rules):
        earlier = next((e for e in rules[:index] if e.shadows(rule)), None)
        if earlier is not None:
            problems.append(
                Warning(
                    f"Activity type rule {index + 1} ({rule.type!r}) is unreachable: rule {rules.index(earlier) + 1} "
                    f"({earlier.type!r}) matches every request it would.",
                    hint="Put the more specific rule first in ACTIVITY_TYPES.",
                    id="accounts.W008",
                )
            )
        elif any(e.overlaps(rule) for e in rules[:index]):
            problems.append(
                Warning(
                    f"Activity type rule {index + 1} ({rule.type!r}) overlaps an earlier, broader rule: some of its "
                    "requests are taken by that one.",
                    hint="Put the more specific rule first in ACTIVITY_TYPES.",
                    id="accounts.W009",
                )
            )
        if (
            rule.minutes is not None
            and not conf.INACTIVITY_MIN <= timedelta(minutes=rule.minutes) <= conf.INACTIVITY_MAX
        ):
            problems.append(
                Warning(
                    f"Activity type {rule.type!r} has a window of {rule.minutes:g} minutes, outside "
                    "INACTIVITY_MIN_MINUTES..INACTIVITY_MAX_MINUTES.",
                    id="accounts.W010",
                )
            )
    return problems
