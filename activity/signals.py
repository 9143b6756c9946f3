"""Signals of the activity app, so that the owner of login sessions can follow activity without a cycle."""

from django.dispatch import Signal

# Sent when a login session's shared clock could not vouch for activity on its own: the receiver must make the
# durable mirror follow. Arguments: session_id (str), at (datetime), force (bool: write whatever the interval).
session_active = Signal()
