# syntax=docker/dockerfile:1
# Inventory Hub — one image recipe for every service. Build context is the repository root:
#   docker build --build-arg SERVICE=variance -t ghcr.io/inventory-hub/variance:latest .
# SERVICE is the workspace member's directory name (services/<SERVICE>/, e.g. collector-ninja); its
# package is the same name with "_" (python -m collector_ninja serve), its port variable
# <PACKAGE>_PORT (COLLECTOR_NINJA_PORT). PORT is only what the image EXPOSEs and probes by default.

ARG SERVICE=gateway

FROM ghcr.io/astral-sh/uv:0.9 AS uv

# ---- manifests: every workspace member's pyproject.toml and the lock, at their paths ------------------
# uv needs every member's pyproject.toml to read the workspace; gathering them here (instead of one COPY
# line per member) keeps this file unchanged when a service is added, and the layer that follows is
# rebuilt only when one of these files changes.
FROM python:3.11-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
    && find . -name pyproject.toml -not -path "*/node_modules/*" -not -path "*/.venv/*" -print0 \
       | tar --null -cf - -T - uv.lock | tar -xf - -C /manifests

# ---- console: the web console's static files (npm ci + vite build, pinned by package-lock.json) -------------
# Served by the gateway at / (CONSOLE_DIST_DIR); the other services' images carry the ~1 MB too, which keeps
# this one recipe for every SERVICE (BuildKit builds the stage once and reuses it for every image).
FROM node:20-slim AS console
WORKDIR /console
COPY console/package.json console/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY console/ ./
RUN npm run build

# ---- builder: resolve and install from the workspace lock ------------------------------------
FROM python:3.11-slim AS builder
ARG SERVICE
COPY --from=uv /uv /uvx /bin/
# Bytecode is compiled at build time so containers start fast with a read-only /app; the cache mount
# below lives on another filesystem, hence copy mode. The interpreter is the image's own.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=0 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Only the workspace metadata first, so the dependency layer is rebuilt only when a lock or a pyproject changes.
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "${SERVICE}" --no-install-workspace
COPY libs/shared/src libs/shared/src
COPY services/${SERVICE}/src services/${SERVICE}/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "${SERVICE}"

# ---- runtime ----------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime
ARG SERVICE
ARG PORT=5400
# Snapshot dates are computed in HUB_TIMEZONE: make sure the zone database is present whatever the
# base image ships.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --home-dir /app --no-create-home --shell /usr/sbin/nologin hub
WORKDIR /app
# The workspace packages are installed editable, so their sources keep the same paths as in the builder.
COPY --from=builder /app/.venv /app/.venv
COPY --from=builder /app/libs/shared/src /app/libs/shared/src
COPY --from=builder /app/services/${SERVICE}/src /app/services/${SERVICE}/src
COPY --from=console /console/dist /app/console/dist
ENV PATH="/app/.venv/bin:$PATH" \
    CONSOLE_DIST_DIR=/app/console/dist \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HUB_SERVICE=${SERVICE} \
    HUB_DEFAULT_PORT=${PORT} \
    BIND_HOST=0.0.0.0
USER 10001:10001
EXPOSE ${PORT}
# /health on the service's port (HTTPS when the gateway serves TLS itself).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, ssl, urllib.request; name = os.environ['HUB_SERVICE'].replace('-', '_').upper(); port = os.environ.get(name + '_PORT', os.environ['HUB_DEFAULT_PORT']); scheme = 'https' if os.environ.get('TLS_CERT_FILE') else 'http'; urllib.request.urlopen(scheme + '://127.0.0.1:' + port + '/health', timeout=4, context=ssl._create_unverified_context())"]
CMD ["sh", "-c", "exec python -m \"$(echo \"$HUB_SERVICE\" | tr - _)\" serve"]
