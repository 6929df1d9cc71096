"""Settings shared by every service, and the one way a service loads its own.

Each service subclasses :class:`ServiceSettings` (one class per service) and loads it with
:func:`load_settings`, which turns a validation error into one line naming the variable and stops the
process: a service must never start half-configured.
"""

from __future__ import annotations

import ipaddress
import math
import re
import sys
from typing import Annotated, Any, ClassVar, Final, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# ``HUB_ENV``: ``development`` (``make dev``, ``make migrate``, the test fixtures) admits the shipped
# development signing key and placeholder secrets; anything else is a real deployment, which refuses them.
DEVELOPMENT: Final = "development"
PRODUCTION: Final = "production"
HubEnv = Literal["development", "production"]
# The development signing key: the default under ``HUB_ENV=development`` only.
DEVELOPMENT_SIGNING_KEY = "dev-only-signing-key-change-me"
# Every signing key this repository has ever shipped (code default, compose default, Kubernetes template).
KNOWN_SIGNING_KEYS = frozenset(
    {DEVELOPMENT_SIGNING_KEY, "compose-only-signing-key-change-me", "CHANGE_ME_TO_A_LONG_RANDOM_VALUE"}
)
# A value containing one of these (any case) is a template's placeholder, not a secret.
PLACEHOLDER_MARKERS = ("change_me", "change-me", "changeme", "replace_me", "replace-me", "placeholder")
# Settings whose names contain one of these hold secrets (or URLs that may carry a password).
SECRET_NAME_PARTS = ("secret", "password", "api_key", "signing_key", "token", "_url")
MIN_SIGNING_KEY_BITS = 256
MIN_SIGNING_KEY_DISTINCT = 10
_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def is_placeholder(value: str) -> bool:
    folded = value.lower()
    return any(marker in folded for marker in PLACEHOLDER_MARKERS)


def signing_key_problem(key: str) -> str | None:
    """Why ``key`` is not fit to sign identities in a real deployment (None when it is).

    It must carry at least 32 random bytes: 64 hex characters (``openssl rand -hex 32``) or 43 base64
    characters (``openssl rand -base64 32``); another alphabet counts about 6.5 bits a character. Known
    defaults, placeholders and keys of few distinct characters are refused whatever their length.
    """
    if key in KNOWN_SIGNING_KEYS or is_placeholder(key):
        return "is a published default or a placeholder; generate one with `openssl rand -hex 32`"
    if _HEX.fullmatch(key):
        bits_per_character = 4.0
    elif _BASE64.fullmatch(key):
        bits_per_character = 6.0
    else:
        bits_per_character = math.log2(95)
    if len(key) * bits_per_character < MIN_SIGNING_KEY_BITS or len(set(key)) < MIN_SIGNING_KEY_DISTINCT:
        return "is too weak: it needs at least 32 random bytes, e.g. 64 hex characters from `openssl rand -hex 32`"
    return None


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


def _proxy_addresses(value: str) -> str:
    """``FORWARDED_ALLOW_IPS``: ``*`` or comma-separated IP addresses and networks (CIDR)."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if items == ["*"]:
        return "*"
    if not items:
        raise ValueError("must name at least one address or network (e.g. 127.0.0.1 or 10.0.0.0/8), or *")
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network (CIDR)") from None
    return ",".join(items)


DatabaseUrl = Annotated[str, AfterValidator(_database_url)]
ProxyAddresses = Annotated[str, AfterValidator(_proxy_addresses)]
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
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (uvicorn's forwarded_allow_ips):
    # behind an ingress, its addresses; else the client IP would be the ingress for everyone.
    forwarded_allow_ips: ProxyAddresses = "127.0.0.1"
    # When set, /metrics is served on this port only (and nothing else is): where only the scraper
    # reaches (the NetworkPolicy admits Prometheus there). Unset: /metrics on the service port.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    log_level: str = Field(default="INFO", pattern=r"^(?i:debug|info|warning|error|critical)$")
    # Unset: JSON unless the output is a terminal (hub_shared.logging.wants_json).
    log_json: bool | None = None
    outbox_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # development or production (the default): see DEVELOPMENT above.
    hub_env: HubEnv = PRODUCTION
    # Shared secret for the gateway-signed identity header (X-Hub-Identity). Outside development it must
    # be set, strong and not a published default (``signing_key_problem``).
    hub_internal_signing_key: str = Field(default=DEVELOPMENT_SIGNING_KEY, min_length=16)

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("hub_env", mode="before")
    @classmethod
    def _env_name(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def development(self) -> bool:
        return self.hub_env == DEVELOPMENT

    @model_validator(mode="after")
    def _real_secrets(self) -> ServiceSettings:
        """Outside development: no published signing key, no weak one, no template placeholder."""
        if self.development:
            return self
        problem = signing_key_problem(self.hub_internal_signing_key)
        if problem is not None:
            raise ValueError(f"HUB_INTERNAL_SIGNING_KEY: {problem} (HUB_ENV={self.hub_env})")
        prefix = (self.model_config.get("env_prefix") or "").upper()
        for name in type(self).model_fields:
            if not any(part in name for part in SECRET_NAME_PARTS):
                continue
            value = getattr(self, name)
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            if text is not None and not isinstance(text, (bool, int, float)) and is_placeholder(str(text)):
                raise ValueError(
                    f"{prefix}{name.upper()}: holds a placeholder (CHANGE_ME…); set the real value "
                    f"(HUB_ENV={self.hub_env})"
                )
        return self

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
        message = item["msg"].removeprefix("Value error, ")
        if not item["loc"]:  # a check across settings names its variable itself
            problems.append(message)
            continue
        variable = (prefix + str(item["loc"][0])).upper()
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
