"""Settings shared by every service, and the one way a service loads its own.

Each service subclasses :class:`ServiceSettings` (one class per service) and loads it with
:func:`load_settings`, which turns a validation error into one line naming the variable and stops the
process: a service must never start half-configured.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _database_url(value: str) -> str:
    if not value.startswith(("postgresql+asyncpg://", "postgresql://", "postgres://")):
        raise ValueError("must be a PostgreSQL URL, e.g. postgresql+asyncpg://postgres@localhost:5432/inventory_hub")
    if value.startswith("postgres://"):
        value = "postgresql://" + value.removeprefix("postgres://")
    if value.startswith("postgresql://"):
        value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
    rest = value.removeprefix("postgresql+asyncpg://")
    if "/" not in rest or not rest.split("/", 1)[1].split("?", 1)[0]:
        raise ValueError("must name a database, e.g. .../inventory_hub")
    return value


def _amqp_url(value: str) -> str:
    if not value.startswith(("amqp://", "amqps://")):
        raise ValueError("must be an AMQP URL, e.g. amqp://guest:guest@localhost:5672/")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


DatabaseUrl = Annotated[str, AfterValidator(_database_url)]
AmqpUrl = Annotated[str, AfterValidator(_amqp_url)]
TimeZoneName = Annotated[str, AfterValidator(_timezone)]
CommaList = Annotated[list[str], NoDecode]


def split_comma_list(value: object) -> object:
    """Environment lists are comma-separated text; blanks are dropped."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class ServiceSettings(BaseSettings):
    """What every service needs: where the database and broker are, and how to present itself."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    # The service's name doubles as its schema name's owner and its metrics label; subclasses set it.
    service_name: ClassVar[str] = "service"
    default_port: ClassVar[int] = 5400

    database_url: DatabaseUrl = "postgresql+asyncpg://postgres@localhost:5432/inventory_hub"
    amqp_url: AmqpUrl = "amqp://guest:guest@localhost:5672/"
    amqp_exchange: str = Field(default="hub.events", min_length=1)
    amqp_dead_exchange: str = Field(default="hub.dead", min_length=1)
    # Prefixes queue names, so a test session (or a second deployment on one broker) is isolated.
    amqp_queue_prefix: str = ""
    amqp_prefetch: int = Field(default=16, ge=1, le=1000)
    amqp_delivery_limit: int = Field(default=5, ge=1, le=100)
    hub_timezone: TimeZoneName = "America/Chicago"
    bind_host: str = "127.0.0.1"
    log_level: str = Field(default="INFO", pattern=r"^(?i:debug|info|warning|error|critical)$")
    # Unset: JSON unless the output is a terminal (hub_shared.logging.wants_json).
    log_json: bool | None = None
    outbox_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # Shared secret for the gateway-signed identity header (X-Hub-Identity).
    hub_internal_signing_key: str = Field(default="dev-only-signing-key-change-me", min_length=16)

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @property
    def port(self) -> int:  # pragma: no cover - overridden by each service
        return self.default_port

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.hub_timezone)


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class ConfigurationError(SystemExit):
    """Raised (as a SystemExit with status 2) when a setting is missing or malformed."""


def describe_validation_error(error: ValidationError, settings_cls: type[BaseSettings]) -> str:
    prefix = settings_cls.model_config.get("env_prefix", "") or ""
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        variable = (prefix + field).upper()
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{variable}: {message}")
    return "; ".join(problems)


def load_settings(settings_cls: type[SettingsT], **overrides: Any) -> SettingsT:
    """Build settings from the environment, or stop with one line naming what is wrong."""
    try:
        return settings_cls(**overrides)
    except ValidationError as error:
        line = f"configuration error: {describe_validation_error(error, settings_cls)}"
        print(line, file=sys.stderr)
        raise ConfigurationError(2) from error


def is_simulator_url(url: object, simulator_url: str) -> bool:
    """Whether a vendor URL is the vendor simulator's default address (``make dev``'s)."""
    return str(url).rstrip("/").lower() == simulator_url.rstrip("/").lower()


def simulator_only_default(url_field: str, simulator_url: str, simulator_value: str) -> Any:
    """A field validator for a vendor credential or id: unset means the simulator's value, but only while the
    vendor URL (``url_field``, declared earlier) is the simulator's; against a real vendor it must be set,
    and the service refuses to start naming the variable. Use with ``Field(default=None, validate_default=True)``.
    """

    def check(value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value.strip():
            return value
        if url_field not in info.data:
            return value  # the URL itself is invalid and reported on its own
        if is_simulator_url(info.data[url_field], simulator_url):
            return simulator_value
        raise ValueError(
            f"must be set when {url_field.upper()} is not the vendor simulator ({simulator_url}); "
            "the simulator's value is never used against a real vendor"
        )

    return check
