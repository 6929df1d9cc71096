"""The command line every service shares: ``serve``, ``worker`` and ``migrate``.

``python -m <service> serve`` runs the HTTP app with the service's bus worker in the same process
(``--no-worker`` to leave it out); ``worker`` runs only the worker, with ``/health``, ``/ready`` and
``/metrics`` on the service port + 100 for probes and scrapes; ``migrate`` applies the service's
migrations. A bad setting stops every command with one line naming the variable.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import socket
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from hub_shared.app import create_app
from hub_shared.logging import configure_logging, get_logger
from hub_shared.migrations import upgrade
from hub_shared.operations import (
    count_dead_letters,
    dead_letter_queues,
    effective_settings,
    move_dead_letters,
    pending_migrations,
    show_dead_letters,
)
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
    migrate = commands.add_parser("migrate", help="apply this service's database migrations")
    migrate.add_argument("--check", action="store_true", help="apply nothing; exit 1 when migrations are pending")
    config = commands.add_parser("config", help="print the effective settings (secrets hidden)")
    config.add_argument("--json", action="store_true", help="one JSON object instead of NAME=value lines")
    dead = commands.add_parser("dead-letters", help="inspect, replay or discard this service's dead-lettered events")
    actions = dead.add_subparsers(dest="dead_action", required=True)
    actions.add_parser("list", help="messages waiting in each dead-letter queue")
    show = actions.add_parser("show", help="print dead-lettered messages (they stay where they are)")
    show.add_argument("--limit", type=int, default=20, help="messages per queue (default 20)")
    for name, verb in (("replay", "send back to the consumer's queue"), ("discard", "delete for good")):
        action = actions.add_parser(name, help=f"{verb}: one event or all of them")
        which = action.add_mutually_exclusive_group(required=True)
        which.add_argument("--event-id", help="only this event")
        which.add_argument("--all", action="store_true", help="every dead-lettered message of this service")
    if spec.extra_commands is not None:
        spec.extra_commands(commands)
    return parser


def uvicorn_options(settings: ServiceSettings) -> dict[str, Any]:
    """Extra uvicorn options a service's settings ask for: the trusted proxies (``FORWARDED_ALLOW_IPS``)
    and the gateway's TLS files."""
    options: dict[str, Any] = {"proxy_headers": True, "forwarded_allow_ips": settings.forwarded_allow_ips}
    cert = getattr(settings, "tls_cert_file", None)
    key = getattr(settings, "tls_key_file", None)
    if cert and key:
        options.update(ssl_certfile=str(cert), ssl_keyfile=str(key))
    return options


def build_server(app: Any, settings: ServiceSettings, port: int) -> tuple[uvicorn.Server, list[socket.socket] | None]:
    """The uvicorn server of ``serve`` / ``worker``; with ``METRICS_PORT`` set, also listening there (the
    app then answers ``/metrics`` on that port only, see ``hub_shared.app``). Sockets are None when the
    server binds its one port itself."""
    config = uvicorn.Config(
        app,
        host=settings.bind_host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    metrics_port = settings.metrics_port
    if metrics_port is None or metrics_port == port:
        return server, None
    metrics = uvicorn.Config(app, host=settings.bind_host, port=metrics_port, log_config=None)
    return server, [config.bind_socket(), metrics.bind_socket()]


def main(spec: ServiceSpec, argv: Sequence[str] | None = None, settings: ServiceSettings | None = None) -> None:
    args = build_parser(spec).parse_args(argv)
    settings = settings or load_settings(spec.settings_cls)
    configure_logging(spec.name, settings.log_level, settings.log_json)
    log = get_logger(spec.package)
    if args.command == "migrate" and args.check:
        try:
            pending = pending_migrations(spec, settings.database_url)
        except (OSError, SQLAlchemyError) as exc:  # exit 2, not 1: "cannot tell" is not "behind"
            print(f"{spec.schema}: cannot read the applied migrations: {str(exc).splitlines()[0]}", file=sys.stderr)
            sys.exit(2)
        for revision in pending:
            print(f"pending: {spec.schema} {revision}")
        print(f"{spec.schema}: {len(pending)} migration(s) pending" if pending else f"{spec.schema}: up to date")
        sys.exit(1 if pending else 0)
    if args.command == "migrate":
        upgrade(spec, settings.database_url)
        log.info("migrations applied", schema=spec.schema)
        return
    if args.command in ("serve", "worker"):
        serving = args.command == "serve"
        runtime = ServiceRuntime(spec, settings, run_worker=not (serving and args.no_worker))
        app = create_app(runtime, include_routers=serving)
        port = args.port or (settings.port if serving else settings.port + WORKER_PORT_OFFSET)
        log.info(
            "starting", command=args.command, host=settings.bind_host, port=port, metrics_port=settings.metrics_port
        )
        server, sockets = build_server(app, settings, port)
        server.run(sockets=sockets)
        return
    if args.command == "config":
        shown = effective_settings(settings)
        if args.json:
            print(json.dumps(shown, indent=2))
        else:
            for name, value in shown.items():
                print(f"{name}={'' if value is None else value}")
        return
    if args.command == "dead-letters":
        sys.exit(dead_letters_command(spec, settings, args))
    handler = getattr(args, "handler", None)
    if handler is None:  # pragma: no cover - argparse enforces a known command
        sys.exit(f"unknown command {args.command}")
    handler(args, settings)


def dead_letters_command(spec: ServiceSpec, settings: ServiceSettings, args: argparse.Namespace) -> int:
    queues = dead_letter_queues(spec, settings)
    if not queues:
        print(f"{spec.name} consumes no events: it has no dead-letter queues")
        return 0
    if args.dead_action == "list":
        for queue, count in asyncio.run(count_dead_letters(settings.amqp_url, queues)).items():
            print(f"{queue}\t{count}")
        return 0
    if args.dead_action == "show":
        letters = asyncio.run(show_dead_letters(settings.amqp_url, queues, args.limit))
        for letter in letters:
            print(json.dumps(dataclasses.asdict(letter)))
        return 0
    replay = args.dead_action == "replay"
    moved = asyncio.run(move_dead_letters(settings.amqp_url, queues, replay=replay, event_id=args.event_id))
    print(f"{'replayed' if replay else 'discarded'} {moved} message(s)")
    return 0 if moved or args.all else 1
