"""``python -m assessment serve|worker|migrate``."""

from __future__ import annotations


def main() -> None:
    # Settings load before the heavy imports, so a bad value is reported at once.
    from assessment.settings import AssessmentSettings
    from hub_shared.settings import load_settings

    settings = load_settings(AssessmentSettings)

    from assessment.definition import SPEC
    from hub_shared.cli import main as run

    run(SPEC, settings=settings)


if __name__ == "__main__":
    main()
