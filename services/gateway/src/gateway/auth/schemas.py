"""Response shapes of the auth routes (``spec/qbr-api.md`` and ``spec/inventory-hub-api.md``).

``/api/auth/status`` serves both specs in one object: the flat ``user_email``/``user_name``/``login_time``
the QBR spec (and the replaced system) use, and the nested ``user`` the inventory spec shows.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class AuthUser(BaseModel):
    email: str | None
    name: str | None


class AuthStatus(BaseModel):
    authenticated: bool = True
    user_email: str | None = Field(description="The signed-in person's email (null for an API token)")
    user_name: str | None
    login_time: str | None = Field(description="When the session began (RFC 3339, UTC)")
    user: AuthUser
    auth_method: str = Field(description="session or token")
    expires_at: str | None = Field(description="When the session or token stops working (RFC 3339, UTC)")
    scopes: list[str] = Field(default_factory=list)


class NotAuthenticated(BaseModel):
    authenticated: bool = False


class AuthError(BaseModel):
    """The auth family's error body (``response-shapes.md`` §0.1)."""

    error: str
    message: str | None = None
    details: str | None = None


class LoggedOut(BaseModel):
    success: bool = True
    authenticated: bool = False
    logout_url: str
