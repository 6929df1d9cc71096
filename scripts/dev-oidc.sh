#!/bin/sh
# Development sign-in (make dev, when OIDC_ISSUER is unset): a local OpenID Connect provider
# (oidc-provider-mock, a dev dependency) with one predefined person, and the gateway settings that point at it.
#   ./scripts/dev-oidc.sh        run the provider on DEV_OIDC_PORT (default 5399)
#   ./scripts/dev-oidc.sh --env  print the gateway's OIDC_* settings for it (eval'd by the Procfile)
# Production leaves this out: OIDC_ISSUER is set to https://login.microsoftonline.com/<tenant>/v2.0.
DEV_OIDC_PORT="${DEV_OIDC_PORT:-5399}"
DEV_USER_EMAIL="${DEV_USER_EMAIL:-dev@inventory-hub.local}"
DEV_USER_NAME="${DEV_USER_NAME:-Dev Operator}"

if [ "${1:-}" = "--env" ]; then
  echo "export OIDC_ISSUER='http://127.0.0.1:${DEV_OIDC_PORT}'"
  echo "export OIDC_CLIENT_ID='${OIDC_CLIENT_ID:-inventory-hub-dev}'"
  echo "export OIDC_CLIENT_SECRET='${OIDC_CLIENT_SECRET:-dev-client-secret}'"
  echo "export AUTH_ALLOWED_EMAILS='${AUTH_ALLOWED_EMAILS:-$DEV_USER_EMAIL}'"
  echo "export SESSION_COOKIE_SECURE='${SESSION_COOKIE_SECURE:-false}'"  # plain http://localhost in development
else
  claims=$(printf '{"sub": "%s", "email": "%s", "email_verified": true, "name": "%s", "preferred_username": "%s"}' \
    "$DEV_USER_EMAIL" "$DEV_USER_EMAIL" "$DEV_USER_NAME" "$DEV_USER_EMAIL")
  exec .venv/bin/python -m oidc_provider_mock --host 127.0.0.1 --port "$DEV_OIDC_PORT" --user-claims "$claims"
fi
