"""Activity types: ordered rules naming what a tracked request is (`read`, `write`, ...) and its idle window.

`ACTIVITY["TYPES"]` (env `ACTIVITY_TYPES`, JSON) is a list of rules, the first match wins::

    [{"type": "edit", "methods": ["PUT", "PATCH"], "prefix": "/api/graphs/", "minutes": 45},
     {"type": "read", "methods": ["GET", "HEAD", "OPTIONS"]},
     {"type": "write", "methods": ["POST", "PUT", "PATCH", "DELETE"]}]

`methods` empty or absent matches any method, `prefix` (default "/") any path under it; `minutes` is the idle
window a request of the type earns (absent: the session's own threshold) or the string "passive" (never activity).
The passive paths (conf.py) stay passive whatever the rules say. A request no rule matches is `other`, at the
session's threshold. The windows are capped by the session's policy (accounts/policies.py), never here.
"""

from dataclasses import dataclass

from .conf import activity_settings

PASSIVE = "passive"


@dataclass(frozen=True)
class ActivityType:
    type: str
    methods: frozenset[str] = frozenset()  # empty: every method
    prefix: str = "/"
    minutes: float | None = None  # None: the session's threshold
    passive: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and path.startswith(self.prefix)

    def shadows(self, other: "ActivityType") -> bool:
        """Whether every request `other` matches is matched by this rule first (so `other` is unreachable)."""
        methods_covered = not self.methods or (bool(other.methods) and other.methods <= self.methods)
        return methods_covered and other.prefix.startswith(self.prefix)

    def overlaps(self, other: "ActivityType") -> bool:
        """Whether some request `other` matches is taken by this (earlier, broader) rule instead."""
        methods_meet = not self.methods or not other.methods or bool(self.methods & other.methods)
        return methods_meet and other.prefix.startswith(self.prefix) and not self.shadows(other)


OTHER = ActivityType(type="other")


def rules_parse(raw) -> tuple[ActivityType, ...]:
    """Return the rules of an `ACTIVITY["TYPES"]` value (checks.py says what is wrong with one)."""
    rules = []
    for rule in raw:
        minutes = rule.get("minutes")
        rules.append(
            ActivityType(
                type=str(rule["type"]),
                methods=frozenset(m.upper() for m in rule.get("methods", ())),
                prefix=rule.get("prefix", "/"),
                minutes=None if minutes in (None, PASSIVE) else float(minutes),
                passive=minutes == PASSIVE,
            )
        )
    return tuple(rules)


def activity_types() -> tuple[ActivityType, ...]:
    """Return the rules in force, in order (parsed once per settings value)."""
    return activity_settings().activity_types


def activity_type_for(method: str, path: str) -> ActivityType:
    """Return the type of a request: the first rule that matches it, else `other`."""
    for rule in activity_types():
        if rule.matches(method, path):
            return rule
    return OTHER


def activity_type_names() -> tuple[str, ...]:
    """Every type a request can be recorded as (`other` included), each once, in rule order."""
    names = dict.fromkeys(rule.type for rule in activity_types() if not rule.passive)
    names[OTHER.type] = None
    return tuple(names)
