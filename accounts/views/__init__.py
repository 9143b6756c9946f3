"""The accounts endpoints: tokens (tokens.py), the login sessions (sessions.py), and the policy in force (config.py)."""

from .config import ConfigView
from .policy import PolicyView
from .sessions import LoginSessionDetailView, LoginSessionListView, MeView, SessionExtendView, SessionView
from .tokens import LoginView, LogoutAllView, LogoutView, RecoverView, RefreshView

__all__ = [
    "ConfigView",
    "LoginSessionDetailView",
    "LoginSessionListView",
    "LoginView",
    "LogoutAllView",
    "LogoutView",
    "MeView",
    "PolicyView",
    "RecoverView",
    "RefreshView",
    "SessionExtendView",
    "SessionView",
]
