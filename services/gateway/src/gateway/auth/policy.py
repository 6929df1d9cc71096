"""The access policy: one table saying which routes are public and which need a session or token.

Routes are matched by path (an exact path, or a prefix covering everything below it); the most specific
rule wins, so ``/api/qbr/metrics/devices-by-client`` (public) beats ``/api/qbr`` (protected). Each rule
names an *area*; the scope a caller needs is ``<area>:read`` for GET/HEAD/OPTIONS and ``<area>:write``
for anything else. A signed-in person holds every scope; an API token holds the scopes it was created
with.

Levels:
- ``OPEN``: never needs credentials, whatever the settings (sign-in itself, liveness/readiness probes,
  metrics scraping).
- ``PUBLIC``: public per the spec, unless ``AUTH_REQUIRE_ALL`` is set (then every request needs
  credentials) or ``AUTH_REQUIRE_FOR_WRITES`` is set and the request changes state.
- ``PROTECTED``: always needs a session or a token with the scope.

A path under ``/api`` no rule matches is PUBLIC (area ``hub``): the proxy forwards only the route table's
prefixes and answers 404 for the rest, and a test keeps every route-table prefix covered by an explicit rule
here. Any other path no rule matches is the console's (its static files and client routes, which hold no
data): OPEN, so a person whose session expired still gets the page that sends them to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Access(Enum):
    OPEN = "open"
    PUBLIC = "public"
    PROTECTED = "protected"


@dataclass(frozen=True)
class Rule:
    path: str
    access: Access
    area: str
    exact: bool = False
    # When set, the rule applies only to these methods (e.g. GET public, writes protected).
    methods: frozenset[str] | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.exact:
            return path == self.path
        return path == self.path or path.startswith(self.path.rstrip("/") + "/")

    @property
    def specificity(self) -> tuple[int, int, int]:
        return (len(self.path), int(self.exact), int(self.methods is not None))


def _public(path: str, area: str, *, exact: bool = False, methods: frozenset[str] | None = None) -> Rule:
    return Rule(path, Access.PUBLIC, area, exact=exact, methods=methods)


def _protected(path: str, area: str) -> Rule:
    return Rule(path, Access.PROTECTED, area)


POLICY: tuple[Rule, ...] = (
    # Always reachable: sign-in, and the probes/scrapes every service serves.
    Rule("/api/auth", Access.OPEN, "auth"),
    Rule("/health", Access.OPEN, "system", exact=True),
    Rule("/ready", Access.OPEN, "system", exact=True),
    Rule("/metrics", Access.OPEN, "system", exact=True),
    # Public per the spec (inventory-hub-api.md: "Variance/Status Endpoints: No authentication").
    _public("/api/health", "status", exact=True),
    _public("/api/status", "status", exact=True),
    _public("/api/collectors", "collectors"),
    _public("/api/variance-report", "variance"),
    _public("/api/variances", "variance"),  # includes the CSV/PDF/Excel exports
    _public("/api/exceptions", "variance"),
    _public("/api/devices", "variance"),  # device search
    _public("/api/windows-11-24h2", "assessment"),
    _public("/api/ninja", "ninja"),  # usage changes, available dates
    _public("/api/qbr/metrics/devices-by-client", "qbr", exact=True),
    _public("/api/qbr/metric-definitions", "qbr", exact=True),
    _public("/docs", "docs", exact=True),
    _public("/docs/oauth2-redirect", "docs", exact=True),
    _public("/docs/init.js", "docs", exact=True),
    _public("/docs/assets", "docs"),  # Swagger UI's files (system/docs.py)
    _public("/openapi.json", "docs", exact=True),
    # Not in the spec: aliases change how devices reconcile, so reading is public and changing is not.
    _public("/api/organization-aliases", "variance", methods=SAFE_METHODS),
    _protected("/api/organization-aliases", "variance"),
    # Protected per the spec: every other QBR route (including the replaced system's unauthenticated
    # /api/qbr/test/smartnumbers, which is not reproduced) and all of TenantSweep.
    _protected("/api/qbr", "qbr"),
    _protected("/api/tenantsweep", "tenantsweep"),
    # Not in the spec: alert rules, channels, the delivery log and scheduled reports (issue 16) always need
    # notifications:read / notifications:write (like the sibling product's Notification Endpoints).
    _protected("/api/notifications", "notifications"),
)

DEFAULT_RULE = Rule("/", Access.PUBLIC, "hub")
CONSOLE_RULE = Rule("/", Access.OPEN, "console")

# Areas a token's scopes may name (``<area>:read`` / ``<area>:write``, or ``*`` for any area).
AREAS: tuple[str, ...] = tuple(sorted({rule.area for rule in POLICY if rule.access is not Access.OPEN}))


@dataclass(frozen=True)
class Decision:
    rule: Rule
    requires_auth: bool
    scope: str


def rule_for(method: str, path: str) -> Rule:
    method = method.upper()
    candidates = [rule for rule in POLICY if rule.matches(method, path)]
    if not candidates:
        return DEFAULT_RULE if path == "/api" or path.startswith("/api/") else CONSOLE_RULE
    return max(candidates, key=lambda rule: rule.specificity)


def decide(method: str, path: str, *, require_all: bool = False, require_for_writes: bool = False) -> Decision:
    """What a request needs: whether credentials are required, and the scope they must carry."""
    method = method.upper()
    rule = rule_for(method, path)
    writing = method not in SAFE_METHODS
    scope = f"{rule.area}:{'write' if writing else 'read'}"
    if rule.access is Access.OPEN:
        return Decision(rule, False, scope)
    if rule.access is Access.PROTECTED:
        return Decision(rule, True, scope)
    return Decision(rule, require_all or (require_for_writes and writing), scope)


def valid_scope(scope: str) -> bool:
    area, sep, action = scope.partition(":")
    if scope == "*":
        return True
    return bool(sep) and action in ("read", "write") and (area == "*" or area in AREAS)
