"""``python -m gateway openapi [--out FILE]``: the merged OpenAPI document, without a running stack.

Builds every installed service's app in-process (no database connection, no broker: building an app and
asking it for its schema touches neither) and merges them with :func:`gateway.system.service.merge_openapi`,
exactly as the gateway's ``/openapi.json`` does with the documents it fetches. The console's typed client is
generated from this file (``console/openapi.json``); ``services/gateway/tests/test_console.py`` checks the
committed copy is current.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gateway.edge.route_table import UPSTREAM_SERVICES
from gateway.system.service import merge_openapi
from hub_shared.app import create_app
from hub_shared.registry import installed_services
from hub_shared.runtime import ServiceRuntime
from hub_shared.settings import ServiceSettings, load_settings


def register(commands: Any) -> None:
    """``ServiceSpec.extra_commands`` hook: adds the ``openapi`` command."""
    openapi = commands.add_parser("openapi", help="write the merged OpenAPI document (no running stack needed)")
    openapi.add_argument("--out", type=Path, help="file to write (default: standard output)")
    openapi.set_defaults(handler=run)


def _document(runtime: ServiceRuntime) -> dict[str, Any]:
    app = create_app(runtime)
    document: dict[str, Any] = app.openapi()
    return document


def build_document(gateway_settings: ServiceSettings | None = None) -> dict[str, Any]:
    """The document the gateway serves at ``/openapi.json`` when every service is up."""
    specs = {spec.name: spec for spec in installed_services()}
    own_spec = specs["gateway"]
    own_settings = gateway_settings or load_settings(own_spec.settings_cls)
    own = _document(ServiceRuntime(own_spec, own_settings, run_worker=False))
    upstream: dict[str, dict[str, Any]] = {}
    for name in UPSTREAM_SERVICES:
        spec = specs.get(name)
        if spec is None:  # a service the route table names but this installation lacks
            continue
        upstream[name] = _document(ServiceRuntime(spec, load_settings(spec.settings_cls), run_worker=False))
    return merge_openapi(own, upstream)


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace, settings: Any) -> None:
    text = render(build_document(settings))
    if args.out is None:
        sys.stdout.write(text)
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text):,} bytes)", file=sys.stderr)
