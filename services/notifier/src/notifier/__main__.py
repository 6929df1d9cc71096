"""``python -m notifier serve|worker|migrate``."""

from __future__ import annotations


def main() -> None:
    # Settings load before the heavy imports, so a bad value is reported at once.
    from hub_shared.settings import load_settings
    from notifier.settings import NotifierSettings

    settings = load_settings(NotifierSettings)

    from hub_shared.cli import main as run
    from notifier.definition import SPEC

    run(SPEC, settings=settings)


if __name__ == "__main__":
    main()
