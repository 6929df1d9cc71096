"""Sign-in and access: OpenID Connect, sessions, API tokens and the access policy."""
