"""ConnectWise Manage (PSA) REST API as the simulator serves it: service tickets and time entries of a
deterministic MSP help desk, the ``conditions`` query language (the subset a collector needs), ``/count``,
page/pageSize paging with a ``Link`` header, and ground truth per month.

Facts from ``reference/connectwise-api.md``: base ``/<codebase>/apis/3.0/``; ``Authorization: Basic
base64("<companyId>+<publicKey>:<privateKey>")`` and a ``clientId`` header; ``pageSize`` default 25, at most
1000; errors ``{"code", "message", "errors"}``; every response carries ``x-cw-request-id``.

The help desk holds tickets from 30 months before the reference date to 2 months after it, on several
boards (only "Help Desk" is reactive by default), some of them child tickets, with statuses closed,
resolved-but-not-closed and open, and time entries charged to service tickets, project tickets (whose ids
collide with service ticket ids), charge codes and activities. Planted at every month boundary: tickets
and time entries at the local midnight that starts a month, one second before it, and half an hour either
side of it in UTC — which side they fall on depends on the zone's DST offset of that day.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vendor_sim.app import Simulator, VendorError, instrumented, json_response, raise_server_error
from vendor_sim.world import stable_rng

API_ROOT = "/{codebase}/apis/3.0"
MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 1000, 25
BOARDS = (("Help Desk", 1, 0.62), ("Projects", 2, 0.12), ("Alerts", 3, 0.14), ("Onboarding", 4, 0.12))
REACTIVE_BOARD = "Help Desk"
CLOSED_STATUSES = (">Closed", ">Closed - No response", "Closed")
OTHER_STATUSES = ("New", "In Progress", "Waiting Customer", "Resolved", "Scheduled")
STATUS_IDS = {name: i + 1 for i, name in enumerate((*CLOSED_STATUSES, *OTHER_STATUSES))}
COMPANIES = ("ChillCo Inc.", "NNW Oil", "Blue Ridge Law", "Summit Tech Partners", "Harbor Dental", "Pine Valley CPA")
MEMBERS = ("dana", "lee", "sam", "jordan", "alex")
CHARGE_TYPES_OTHER = ("ProjectTicket", "ChargeCode", "Activity")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


@functools.lru_cache(maxsize=262_144)
def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def month_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    """Local midnight of the month's first day, in UTC."""
    return datetime(year, month, 1, tzinfo=zone).astimezone(UTC)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_window(label: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, next start) of a ``YYYY-MM`` month in ``zone``, in UTC (no gap between months)."""
    year, month = (int(part) for part in label.split("-"))
    return month_start(year, month, zone), month_start(*next_month(year, month), zone)


# --------------------------------------------------------------------------------------------- data
@dataclass
class HelpDesk:
    """The simulated PSA's tickets and time entries (plain dicts shaped like the API's records)."""

    tickets: list[dict[str, Any]] = field(default_factory=list)
    time_entries: list[dict[str, Any]] = field(default_factory=list)
    by_id: dict[int, dict[str, Any]] = field(default_factory=dict)


def build_help_desk(seed: int, reference: date, per_month: int, zone: ZoneInfo) -> HelpDesk:
    rng = stable_rng("connectwise", seed)
    first = (reference.year * 12 + reference.month - 1) - 30
    last = (reference.year * 12 + reference.month - 1) + 2
    drafts: list[dict[str, Any]] = []
    for index in range(first, last + 1):
        year, month = divmod(index, 12)
        month += 1
        start = month_start(year, month, zone)
        end = month_start(*next_month(year, month), zone)
        span = (end - start).total_seconds()
        moments = [start + timedelta(seconds=rng.uniform(0, span - 1)) for _ in range(per_month)]
        # Boundary plants: exactly at the local midnight that starts the month, one second before it,
        # and 30 minutes either side of it in UTC.
        moments += [start, start - timedelta(seconds=1), start + timedelta(minutes=30), start - timedelta(minutes=30)]
        for moment in moments:
            drafts.append({"entered": moment.replace(microsecond=0)})
    drafts.sort(key=lambda draft: draft["entered"])

    desk = HelpDesk()
    help_desk_ids: list[int] = []
    other_ids: list[int] = []
    for number, draft in enumerate(drafts, start=1):
        ticket_id = 1000 + number
        entered: datetime = draft["entered"]
        roll = rng.random()
        board_name, board_id = BOARDS[-1][0], BOARDS[-1][1]
        acc = 0.0
        for name, bid, share in BOARDS:
            acc += share
            if roll < acc:
                board_name, board_id = name, bid
                break
        parent: int | None = None
        pool = help_desk_ids if board_name == REACTIVE_BOARD else other_ids
        if pool and rng.random() < 0.18:
            parent = rng.choice(pool[-40:])  # a child of a recent ticket of the same kind
            desk.by_id[parent]["hasChildTicket"] = True
        status_roll = rng.random()
        closed_date: datetime | None = None
        if status_roll < 0.72:
            status = rng.choices(CLOSED_STATUSES, weights=(6, 1, 2))[0]
        else:
            status = rng.choice(OTHER_STATUSES)
        if status in CLOSED_STATUSES or status == "Resolved":
            closed_date = entered + timedelta(seconds=rng.randint(600, 25 * 86400))
            if rng.random() < 0.06:
                # Closed around a month boundary (local midnight ± a little, in UTC).
                local = closed_date.astimezone(zone)
                year, month = next_month(local.year, local.month)
                closed_date = month_start(year, month, zone) + timedelta(seconds=rng.choice((-1, 0, 1800, -1800)))
        ticket: dict[str, Any] = {
            "id": ticket_id,
            "summary": f"Ticket {ticket_id}",
            "board": {"id": board_id, "name": board_name},
            "status": {"id": STATUS_IDS[status], "name": status},
            "company": {"id": COMPANIES.index(c := rng.choice(COMPANIES)) + 1, "identifier": c.split()[0], "name": c},
            "parentTicketId": parent,
            "hasChildTicket": False,
            "closedFlag": closed_date is not None,
            "closedDate": iso(closed_date) if closed_date else None,
            "dateEntered": iso(entered),
            "actualHours": 0.0,
            "_info": {"dateEntered": iso(entered), "lastUpdated": iso(closed_date or entered)},
        }
        desk.tickets.append(ticket)
        desk.by_id[ticket_id] = ticket
        (help_desk_ids if board_name == REACTIVE_BOARD else other_ids).append(ticket_id)

    entry_id = 5000
    for ticket in desk.tickets:
        entered = parse_iso(ticket["dateEntered"])
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            entry_id += 1
            hours = Decimal(rng.randint(1, 12)) / 4  # quarter hours
            start = entered + timedelta(seconds=rng.randint(0, 12 * 86400))
            if rng.random() < 0.05:
                # Work started right around a month boundary.
                local = start.astimezone(zone)
                year, month = next_month(local.year, local.month)
                start = month_start(year, month, zone) + timedelta(seconds=rng.choice((-1, 0, 1800, -1800)))
            desk.time_entries.append(_entry(entry_id, "ServiceTicket", ticket["id"], start, hours, rng))
            ticket["actualHours"] = float(Decimal(str(ticket["actualHours"])) + hours)
    # Time charged elsewhere: project tickets (their ids collide with service ticket ids), charge codes,
    # activities — none of it is help-desk time.
    for _ in range(len(desk.tickets) // 2):
        entry_id += 1
        target = rng.choice(desk.tickets)
        start = parse_iso(target["dateEntered"]) + timedelta(seconds=rng.randint(0, 5 * 86400))
        kind = rng.choice(CHARGE_TYPES_OTHER)
        charge_to = target["id"] if kind == "ProjectTicket" else rng.randint(1, 50)
        desk.time_entries.append(_entry(entry_id, kind, charge_to, start, Decimal(rng.randint(1, 16)) / 4, rng))
    return desk


def _entry(entry_id: int, kind: str, charge_to: int, start: datetime, hours: Decimal, rng: Any) -> dict[str, Any]:
    start = start.replace(microsecond=0)
    end = start + timedelta(hours=float(hours))
    entered = start + timedelta(seconds=rng.randint(0, 2 * 86400))  # logged up to two days later
    return {
        "id": entry_id,
        "chargeToId": charge_to,
        "chargeToType": kind,
        "member": {"id": MEMBERS.index(m := rng.choice(MEMBERS)) + 1, "identifier": m},
        "timeStart": iso(start),
        "timeEnd": iso(end),
        "actualHours": float(hours),
        "hoursDeduct": 0.0,
        "hoursBilled": float(hours),
        "billableOption": rng.choice(("Billable", "DoNotBill", "NoCharge")),
        "dateEntered": iso(entered),
        "ticket": {"id": charge_to, "summary": f"Ticket {charge_to}"} if kind == "ServiceTicket" else None,
        "_info": {"dateEntered": iso(entered)},
    }


# ---------------------------------------------------------------------------------------- truth
@dataclass(frozen=True)
class Definition:
    """What counts as a reactive ticket (the replaced system's rules by default)."""

    boards: tuple[str, ...] = (REACTIVE_BOARD,)
    parent_only: bool = True
    closed_statuses: tuple[str, ...] = CLOSED_STATUSES
    time_entry_date: str = "timeStart"


def is_reactive(ticket: Mapping[str, Any], definition: Definition) -> bool:
    boards = {board.lower() for board in definition.boards}
    if ticket["board"]["name"].lower() not in boards:
        return False
    return not (definition.parent_only and ticket["parentTicketId"] is not None)


def month_truth(desk: HelpDesk, label: str, zone: ZoneInfo, definition: Definition | None = None) -> dict[str, Any]:
    """The three figures a correct collector reports for a month (straight from the records)."""
    definition = definition or Definition()
    start, end = month_window(label, zone)
    closed_names = {name.lower() for name in definition.closed_statuses}
    reactive = {ticket["id"]: ticket for ticket in desk.tickets if is_reactive(ticket, definition)}
    created = sum(1 for t in reactive.values() if start <= parse_iso(t["dateEntered"]) < end)
    closed = sum(
        1
        for t in reactive.values()
        if t["status"]["name"].lower() in closed_names
        and t["closedDate"] is not None
        and start <= parse_iso(t["closedDate"]) < end
    )
    hours = Decimal(0)
    entries = 0
    for entry in desk.time_entries:
        if entry["chargeToType"] != "ServiceTicket" or entry["chargeToId"] not in reactive:
            continue
        if start <= parse_iso(entry[definition.time_entry_date]) < end:
            hours += Decimal(str(entry["actualHours"]))
            entries += 1
    return {
        "month": label,
        "timezone": zone.key,
        "window_start": iso(start),
        "window_end": iso(end),
        "reactive_tickets_created": created,
        "reactive_tickets_closed": closed,
        "reactive_time_spent": float(hours),
        "time_entries": entries,
        "definition": {
            "boards": list(definition.boards),
            "parent_only": definition.parent_only,
            "closed_statuses": list(definition.closed_statuses),
            "time_entry_date": definition.time_entry_date,
        },
    }


# ------------------------------------------------------------------------------------- conditions
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<date>\[[^\]]*\])
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|=|<|>)
      | (?P<paren>[()])
      | (?P<comma>,)
      | (?P<word>[A-Za-z_][A-Za-z0-9_/]*)
    )""",
    re.VERBOSE,
)
Predicate = Callable[[Mapping[str, Any]], bool]


class ConditionError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ConditionError(f"Unexpected text at position {position}: {text[position : position + 20]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _literal(kind: str, raw: str) -> Any:
    if kind == "string":
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    if kind == "date":
        try:
            return parse_iso(raw[1:-1].strip())
        except ValueError:
            raise ConditionError(f"Invalid date {raw}") from None
    if kind == "number":
        return Decimal(raw)
    if kind == "word":
        lowered = raw.lower()
        if lowered == "null":
            return None
        if lowered in ("true", "false"):
            return lowered == "true"
    raise ConditionError(f"Expected a value, got {raw!r}")


def resolve(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        if part not in value and isinstance(value.get("_info"), Mapping) and part in value["_info"]:
            value = value["_info"][part]
            continue
        value = value.get(part)
    return value


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(right, datetime) and isinstance(left, str):
        return parse_iso(left), right
    if isinstance(right, Decimal) and isinstance(left, int | float) and not isinstance(left, bool):
        return Decimal(str(left)), right
    if isinstance(right, str) and isinstance(left, str):
        return left.lower(), right.lower()  # the PSA's collation ignores case
    return left, right


def _compare(op: str, left: Any, right: Any) -> bool:
    if right is None:
        if op == "=":
            return left is None
        if op == "!=":
            return left is not None
        raise ConditionError("null only compares with = or !=")
    if left is None:
        return op == "!="
    left, right = _comparable(left, right)
    try:
        if op == "=":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        raise ConditionError(f"Cannot compare {left!r} with {right!r}") from None


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ConditionError("Unexpected end of conditions")
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].lower() == word:
            self.at += 1
            return True
        return False

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise ConditionError(f"Unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.keyword("or"):
            parts.append(self.conjunction())
        if len(parts) == 1:
            return parts[0]

        def any_of(record: Mapping[str, Any]) -> bool:
            return any(part(record) for part in parts)

        return any_of

    def conjunction(self) -> Predicate:
        parts = [self.factor()]
        while self.keyword("and"):
            parts.append(self.factor())
        if len(parts) == 1:
            return parts[0]

        def all_of(record: Mapping[str, Any]) -> bool:
            return all(part(record) for part in parts)

        return all_of

    def factor(self) -> Predicate:
        token = self.peek()
        if token == ("paren", "("):
            self.take()
            inner = self.disjunction()
            if self.take() != ("paren", ")"):
                raise ConditionError("Expected )")
            return inner
        if token is not None and token[0] == "word" and token[1].lower() == "not":
            self.take()
            negated = self.factor()
            return lambda r: not negated(r)
        kind, path = self.take()
        if kind != "word":
            raise ConditionError(f"Expected a field name, got {path!r}")
        negate = self.keyword("not")
        if self.keyword("in"):
            if self.take() != ("paren", "("):
                raise ConditionError("Expected ( after IN")
            values: list[Any] = []
            while True:
                values.append(_literal(*self.take()))
                separator = self.take()
                if separator == ("paren", ")"):
                    break
                if separator[0] != "comma":
                    raise ConditionError("Expected , or ) in an IN list")

            def member(record: Mapping[str, Any], path: str = path, values: Sequence[Any] = tuple(values)) -> bool:
                left = resolve(record, path)
                found = any(_compare("=", left, value) for value in values)
                return found != negate

            return member
        if negate:
            raise ConditionError("NOT must be followed by IN here")
        if self.keyword("contains") or self.keyword("like"):
            pattern = _literal(*self.take())
            if not isinstance(pattern, str):
                raise ConditionError("contains/like take a string")
            regex = re.compile("^" + re.escape(pattern).replace("%", ".*").replace(r"\*", ".*") + "$", re.IGNORECASE)
            wanted = pattern.lower()

            def text_match(record: Mapping[str, Any], path: str = path) -> bool:
                value = resolve(record, path)
                return isinstance(value, str) and (wanted in value.lower() or bool(regex.match(value)))

            return text_match
        op_kind, op = self.take()
        if op_kind != "op":
            raise ConditionError(f"Expected an operator after {path}, got {op!r}")
        value = _literal(*self.take())
        return lambda record: _compare(op, resolve(record, path), value)


def parse_conditions(text: str | None) -> Predicate:
    if text is None or not text.strip():
        return lambda record: True
    return _Parser(text).parse()


def collector_settings(url: str, config: Any) -> dict[str, Any]:
    """The hub's ConnectWise collector settings for a simulator at ``url`` (quick retries, for tests)."""
    return {
        "connectwise_site": url,
        "connectwise_company_id": config.cw_company_id,
        "connectwise_public_key": config.cw_public_key,
        "connectwise_private_key": config.cw_private_key,
        "connectwise_client_id": config.cw_client_id,
        "connectwise_retry_base_seconds": 0.01,
        "connectwise_requests_per_minute": 100_000,
        "hub_timezone": config.cw_timezone,
        "job_heartbeat_seconds": 1,
    }


# ---------------------------------------------------------------------------------------- routes
def help_desk_of(sim: Simulator) -> HelpDesk:
    """The simulator's help desk, built on first use (a second or so; most simulator uses never need it)."""
    if sim.connectwise is None:
        config = sim.config
        zone = ZoneInfo(config.cw_timezone)
        sim.connectwise = build_help_desk(
            config.seed, config.effective_reference_date(), config.cw_tickets_per_month, zone
        )
    desk: HelpDesk = sim.connectwise
    return desk


def connectwise_router(sim: Simulator) -> APIRouter:
    router = APIRouter()
    config = sim.config
    expected_user = f"{config.cw_company_id}+{config.cw_public_key}"

    def desk() -> HelpDesk:
        return help_desk_of(sim)

    def authenticate(request: Request) -> None:
        if request.path_params.get("codebase", "").strip("/").lower() != config.cw_codebase.lower():
            raise VendorError(404, "The requested resource was not found (unknown codebase)")
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            raise VendorError(401, "Basic authentication with companyId+publicKey:privateKey is required")
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise VendorError(401, "Malformed basic credentials") from None
        if user.lower() != expected_user.lower() or password != config.cw_private_key:
            raise VendorError(401, "Invalid credentials")
        if request.headers.get("clientid") != config.cw_client_id:
            raise VendorError(401, "A registered clientId header is required")

    def paging(request: Request) -> tuple[int, int]:
        try:
            page = int(request.query_params.get("page", "1"))
            size = int(request.query_params.get("pageSize", str(DEFAULT_PAGE_SIZE)))
        except ValueError:
            raise VendorError(400, "page and pageSize must be whole numbers") from None
        if page < 1 or size < 1:
            raise VendorError(400, "page and pageSize must be at least 1")
        return page, min(size, MAX_PAGE_SIZE)  # above the maximum the API serves 1000

    def select(records: Iterable[dict[str, Any]], conditions: str | None) -> list[dict[str, Any]]:
        try:
            keep = parse_conditions(conditions)
            return [record for record in records if keep(record)]
        except ConditionError as exc:
            raise VendorError(400, f"Invalid conditions: {exc}") from None

    def trim(record: dict[str, Any], fields: str | None) -> dict[str, Any]:
        if not fields:
            return record
        wanted = [name.strip() for name in fields.split(",") if name.strip()]
        shaped: dict[str, Any] = {}
        for name in wanted:
            top, _, rest = name.partition("/")
            if top not in record:
                continue
            if rest and isinstance(record[top], Mapping):
                shaped.setdefault(top, {})[rest] = record[top].get(rest)
            else:
                shaped[top] = record[top]
        return shaped

    def listing(route: str, request: Request, records: list[dict[str, Any]], conditions: str | None) -> Response:
        page, size = paging(request)
        raise_server_error(sim, route, page)
        chosen = select(records, conditions)
        order = (request.query_params.get("orderBy") or "id asc").strip().lower()
        if order not in ("id asc", "id", "id desc"):
            raise VendorError(400, f"Unsupported orderBy {order!r}")
        chosen.sort(key=lambda record: record["id"], reverse=order == "id desc")
        rows = chosen[(page - 1) * size : page * size]
        headers = {"x-cw-request-id": str(uuid.uuid4())}
        if page * size < len(chosen):
            url = request.url.include_query_params(page=page + 1, pageSize=size)
            headers["link"] = f'<{url}>; rel="next", <{request.url.include_query_params(page=1)}>; rel="first"'
        fields = request.query_params.get("fields")
        return json_response([trim(row, fields) for row in rows], headers=headers)

    def count(route: str, request: Request, records: list[dict[str, Any]], conditions: str | None) -> Response:
        raise_server_error(sim, route, None)
        return json_response(
            {"count": len(select(records, conditions))}, headers={"x-cw-request-id": str(uuid.uuid4())}
        )

    @instrumented(sim, "cw.tickets", "cw")
    async def tickets(request: Request) -> Response:
        authenticate(request)
        return listing("cw.tickets", request, desk().tickets, request.query_params.get("conditions"))

    @instrumented(sim, "cw.tickets", "cw")
    async def tickets_search(request: Request) -> Response:
        authenticate(request)
        try:
            body = await request.json()
        except ValueError:
            raise VendorError(400, "The request body is not valid JSON") from None
        conditions = body.get("conditions") if isinstance(body, dict) else None
        return listing("cw.tickets", request, desk().tickets, conditions)

    @instrumented(sim, "cw.tickets_count", "cw")
    async def tickets_count(request: Request) -> Response:
        authenticate(request)
        return count("cw.tickets_count", request, desk().tickets, request.query_params.get("conditions"))

    @instrumented(sim, "cw.time_entries", "cw")
    async def time_entries(request: Request) -> Response:
        authenticate(request)
        return listing("cw.time_entries", request, desk().time_entries, request.query_params.get("conditions"))

    @instrumented(sim, "cw.time_entries", "cw")
    async def time_entries_count(request: Request) -> Response:
        authenticate(request)
        return count("cw.time_entries", request, desk().time_entries, request.query_params.get("conditions"))

    @instrumented(sim, "cw.companyinfo", "cw")
    async def company_info(request: Request) -> Response:
        company = request.path_params["company"]
        if company.lower() != config.cw_company_id.lower():
            raise VendorError(404, f"Company {company!r} not found")
        return json_response(
            {
                "CompanyName": "Summit Tech Partners",
                "Codebase": f"{config.cw_codebase}/",
                "VersionCode": "v2025.1",
                "VersionNumber": "v4.6.1",
                "CompanyID": config.cw_company_id,
                "IsCloud": True,
                "SiteUrl": "127.0.0.1",
            }
        )

    router.add_api_route(f"{API_ROOT}/service/tickets", tickets, methods=["GET"])
    router.add_api_route(f"{API_ROOT}/service/tickets/search", tickets_search, methods=["POST"])
    router.add_api_route(f"{API_ROOT}/service/tickets/count", tickets_count, methods=["GET"])
    router.add_api_route(f"{API_ROOT}/time/entries", time_entries, methods=["GET"])
    router.add_api_route(f"{API_ROOT}/time/entries/count", time_entries_count, methods=["GET"])
    router.add_api_route("/login/companyinfo/{company}", company_info, methods=["GET"])
    return router
