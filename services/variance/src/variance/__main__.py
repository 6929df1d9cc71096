"""``python -m variance serve|worker|migrate``."""

from __future__ import annotations


def main() -> None:
    # Settings load before the heavy imports, so a bad value is reported at once.
    from hub_shared.settings import load_settings
    from variance.settings import VarianceSettings

    settings = load_settings(VarianceSettings)

    from hub_shared.cli import main as run
    from variance.definition import SPEC

    run(SPEC, settings=settings)


if __name__ == "__main__":
    main()
