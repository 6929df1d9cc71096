"""Structured JSON logging for every service.

Request ids, event ids and job ids are bound with :func:`bind` (structlog contextvars), so every line a
handler writes carries them without being passed around.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import structlog

_configured = False


def wants_json(setting: bool | None, stream: TextIO) -> bool:
    """``LOG_JSON`` when set; otherwise JSON for a pipe or file (containers, log shippers) and readable lines
    for a person at a terminal."""
    if setting is not None:
        return setting
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


def configure_logging(service: str, level: str = "INFO", json_output: bool | None = None) -> None:
    global _configured
    json_output = wants_json(json_output, sys.stdout)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    # Plain tracebacks: with `rich` installed (a dependency of dev tools) structlog would otherwise render each
    # exception with every frame's locals, which took ~12 s per logged error on a large asyncpg frame and
    # stalled the request that logged it.
    console = structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    renderer: Any = structlog.processors.JSONRenderer() if json_output else console
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # Library logs (uvicorn, aio-pika, alembic) go through the same renderer so the stream stays JSON.
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiormq", "aio_pika", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("uvicorn.access").disabled = True  # our own middleware logs requests with ids
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)
    _configured = True


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Bind context (request_id, event_id, job_id, ...) for the duration of a block."""
    tokens = structlog.contextvars.bind_contextvars(**values)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)
