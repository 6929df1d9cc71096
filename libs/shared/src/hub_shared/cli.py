"""The command line every service shares: ``serve``, ``worker`` and ``migrate``.

``python -m <service> serve`` runs the HTTP app with the service's bus worker in the same process
(``--no-worker`` to leave it out); ``worker`` runs only the worker, with ``/health``, ``/ready`` and
``/metrics`` on the service port + 100 for probes and scrapes; ``migrate`` applies the service's
migrations. A bad setting stops every command with one line naming the variable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn

from hub_shared.app import create_app
from hub_shared.logging import configure_logging, get_logger
from hub_shared.migrations import upgrade
from hub_shared.runtime import ServiceRuntime, ServiceSpec
from hub_shared.settings import ServiceSettings, load_settings

WORKER_PORT_OFFSET = 100


def build_parser(spec: ServiceSpec) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {spec.package}", description=spec.title)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service (and its worker)")
    serve.add_argument("--port", type=int, help="override the configured port")
    serve.add_argument("--no-worker", action="store_true", help="do not run bus consumers and relay here")
    worker = commands.add_parser("worker", help="run bus consumers, the outbox relay and schedules")
    worker.add_argument("--port", type=int, help=f"probe/metrics port (default: service port + {WORKER_PORT_OFFSET})")
    commands.add_parser("migrate", help="apply this service's database migrations")
    if spec.extra_commands is not None:
        spec.extra_commands(commands)
    return parser


def uvicorn_options(settings: ServiceSettings) -> dict[str, Any]:
    """Extra uvicorn options a service's settings ask for (the gateway's TLS files)."""
    options: dict[str, Any] = {}
    cert = getattr(settings, "tls_cert_file", None)
    key = getattr(settings, "tls_key_file", None)
    if cert and key:
        options.update(ssl_certfile=str(cert), ssl_keyfile=str(key))
    return options


def main(spec: ServiceSpec, argv: Sequence[str] | None = None, settings: ServiceSettings | None = None) -> None:
    args = build_parser(spec).parse_args(argv)
    settings = settings or load_settings(spec.settings_cls)
    configure_logging(spec.name, settings.log_level, settings.log_json)
    log = get_logger(spec.package)
    if args.command == "migrate":
        upgrade(spec, settings.database_url)
        log.info("migrations applied", schema=spec.schema)
        return
    if args.command in ("serve", "worker"):
        serving = args.command == "serve"
        runtime = ServiceRuntime(spec, settings, run_worker=not (serving and args.no_worker))
        app = create_app(runtime, include_routers=serving)
        port = args.port or (settings.port if serving else settings.port + WORKER_PORT_OFFSET)
        log.info("starting", command=args.command, host=settings.bind_host, port=port)
        uvicorn.run(
            app,
            host=settings.bind_host,
            port=port,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            timeout_graceful_shutdown=10,
            **uvicorn_options(settings),
        )
        return
    handler = getattr(args, "handler", None)
    if handler is None:  # pragma: no cover - argparse enforces a known command
        sys.exit(f"unknown command {args.command}")
    handler(args, settings)
