#!/usr/bin/env bash
# Builds the web console (console/ -> console/dist) when its sources changed: `npm ci` when the lockfile
# changed, then `npm run build`. A stamp (console/dist/.build-stamp) keeps the hash of the sources built.
# Needs Node.js 20+; SKIP_CONSOLE=1 skips the build (the gateway then answers / with how to build it).
set -euo pipefail
cd "$(dirname "$0")/.."
NEED_MAJOR=20

if [ -n "${SKIP_CONSOLE:-}" ]; then
  echo "console: SKIP_CONSOLE is set, not building"
  exit 0
fi
if [ ! -f console/package.json ]; then
  echo "console: no console/ in this checkout, nothing to build"
  exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "error: the web console needs Node.js ${NEED_MAJOR} or newer with npm, and they were not found." >&2
  echo "       Install them (Debian/Ubuntu: apt-get install nodejs npm; or https://nodejs.org), or run" >&2
  echo "       SKIP_CONSOLE=1 make dev to run the API without the console." >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt "$NEED_MAJOR" ]; then
  echo "error: the web console needs Node.js ${NEED_MAJOR} or newer; this machine has $(node --version)." >&2
  echo "       Upgrade Node.js, or run SKIP_CONSOLE=1 make dev to run the API without the console." >&2
  exit 1
fi

# The sources: every file of console/ that git would track (so node_modules/ and dist/ are left out).
sources() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -co --exclude-standard -- console
  else
    find console -path console/node_modules -prune -o -path console/dist -prune -o -type f -print
  fi
}
hash=$(sources | LC_ALL=C sort | while read -r f; do [ -f "$f" ] && printf '%s\n' "$f" && cat "$f"; done | sha256sum | cut -d' ' -f1)
stamp=console/dist/.build-stamp
if [ -f console/dist/index.html ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
  echo "console: up to date (console/dist)"
  exit 0
fi

lock=$(sha256sum console/package-lock.json | cut -d' ' -f1)
if [ "$(cat console/node_modules/.hub-lock-stamp 2>/dev/null)" != "$lock" ]; then
  echo "console: npm ci"
  (cd console && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock" > console/node_modules/.hub-lock-stamp
fi
echo "console: npm run build"
(cd console && npm run build)
echo "$hash" > "$stamp"
echo "console: built into console/dist"
