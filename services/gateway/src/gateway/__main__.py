"""``python -m gateway serve|worker|migrate``."""

from __future__ import annotations


def main() -> None:
    # Settings load before the heavy imports, so a bad value is reported at once.
    from gateway.settings import GatewaySettings
    from hub_shared.settings import load_settings

    settings = load_settings(GatewaySettings)

    from gateway.definition import SPEC
    from hub_shared.cli import main as run

    run(SPEC, settings=settings)


if __name__ == "__main__":
    main()
