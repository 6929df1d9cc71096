#!/usr/bin/env bash
# make dev (Procfile): when the vendor simulator runs, load its organisation alias map into the hub through the
# public API, with a one-hour token revoked right after; then idle (honcho stops everything when one process ends).
if [ -n "${NINJA_BASE_URL}${THREATLOCKER_BASE_URL}" ]; then
  echo "vendor URLs are set: no demo aliases loaded"
  exec sleep infinity
fi
name="dev-seed-$(date +%s)"
if token=$(.venv/bin/python -m gateway tokens create --name "$name" --scopes variance:write --expires 1h | tail -n 1); then
  .venv/bin/python -m hub_shared.devtools seed-demo --token "$token" || echo "demo aliases could not be loaded"
  .venv/bin/python -m gateway tokens revoke "$name" >/dev/null
fi
exec sleep infinity
