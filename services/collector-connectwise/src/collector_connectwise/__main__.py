"""``python -m collector_connectwise serve|worker|migrate|collect``."""

from __future__ import annotations


def main() -> None:
    # Settings load before the heavy imports, so a bad value is reported at once.
    from collector_connectwise.settings import ConnectWiseCollectorSettings
    from hub_shared.settings import load_settings

    settings = load_settings(ConnectWiseCollectorSettings)

    from collector_connectwise.definition import SPEC
    from hub_shared.cli import main as run

    run(SPEC, settings=settings)


if __name__ == "__main__":
    main()
