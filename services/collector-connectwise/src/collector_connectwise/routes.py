"""The collector's one internal route: whether it is configured (the gateway asks before a run).

Not public (the gateway's route table does not expose it), and it never shows a secret.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from collector_connectwise.settings import ConnectWiseCollectorSettings

router = APIRouter(tags=["connectwise"])


class Definition(BaseModel):
    boards: list[str]
    parent_only: bool
    closed_statuses: list[str]
    time_entry_date: str


class Configuration(BaseModel):
    configured: bool
    missing: list[str]  # the environment variables still to set
    site: str | None
    months_back: int
    definition: Definition


def settings_dependency(request: Request) -> ConnectWiseCollectorSettings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, ConnectWiseCollectorSettings)
    return settings


Settings = Annotated[ConnectWiseCollectorSettings, Depends(settings_dependency)]


# Internal (gateway → collector), so not in the OpenAPI document: its models would otherwise land in the
# gateway's merged components although the path is not public.
@router.get(
    "/configuration",
    summary="Whether ConnectWise is configured, and the reactive-ticket definition",
    include_in_schema=False,
)
async def configuration(settings: Settings) -> Configuration:
    return Configuration(
        configured=settings.configured,
        missing=settings.missing_settings(),
        site=settings.connectwise_site,
        months_back=settings.connectwise_months_back,
        definition=Definition.model_validate(settings.definition()),
    )
