"""``python -m qbr serve|worker|migrate``."""

from __future__ import annotations


def main() -> None:
    # Settings load before the heavy imports, so a bad value is reported at once.
    from hub_shared.settings import load_settings
    from qbr.settings import QbrSettings

    settings = load_settings(QbrSettings)

    from hub_shared.cli import main as run
    from qbr.definition import SPEC

    run(SPEC, settings=settings)


if __name__ == "__main__":
    main()
