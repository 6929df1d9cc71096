"""Deterministic synthetic fleet: one "slot" per physical machine, generated on demand from (seed, slot).

Nothing about devices is stored: `Fleet.machine(slot)` rebuilds a machine from a `random.Random` seeded
with (seed, slot), and `Fleet.day_state(machine, day)` applies the machine's own change events (removal,
organisation move, billing toggle) for a fleet day. A page of either vendor is therefore produced from
the slots it covers only.

A slot emits 0–2 Ninja records (ids `NINJA_ID_BASE + 2*slot + r`, so ids ascend with slots) and 0–3
ThreatLocker records. Every hostname embeds its slot number inside its first 15 characters, so two slots
never share a match key, even after NetBIOS truncation: all cross-vendor relations (matches, duplicates,
truncation) live inside one slot. That is what lets truth.py compute the exact variance report slot by
slot, by applying the domain rules to each slot's own records.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Any

from vendor_sim import catalog
from vendor_sim.catalog import GIB, Cpu, OsBuild
from vendor_sim.config import SimConfig
from vendor_sim.world import Location, Org, World, stable_guid, stable_int, stable_rng

INF_DAY = 1 << 30
NINJA_ID_BASE = 1000
DAY_SECONDS = 86400
# Share of unplanted devices that belong to the MSP itself (ThreatLocker parent organisation).
INTERNAL_SHARE = 0.015


@dataclass(frozen=True, slots=True)
class KindSpec:
    name: str
    node_class: str
    tag: str
    weight: int
    os_family: str | None
    """"windows", "mac", "linux", or None for agentless records (VMware hosts, VM guests)."""
    role: str
    """"workstation", "server", "vmhost" or "guest" (billing and seat rules key off this)."""
    tl_probability: float
    laptop: bool = False


WIN_DESKTOP = KindSpec("win_desktop", "WINDOWS_WORKSTATION", "WS", 40, "windows", "workstation", 0.93)
WIN_LAPTOP = KindSpec("win_laptop", "WINDOWS_WORKSTATION", "LT", 30, "windows", "workstation", 0.93, True)
MAC = KindSpec("mac", "MAC", "MAC", 5, "mac", "workstation", 0.8, True)
LINUX_WS = KindSpec("linux_ws", "LINUX_WORKSTATION", "LNX", 1, "linux", "workstation", 0.5)
WIN_SERVER = KindSpec("win_server", "WINDOWS_SERVER", "SRV", 8, "windows", "server", 0.95)
LINUX_SERVER = KindSpec("linux_server", "LINUX_SERVER", "LSV", 2, "linux", "server", 0.4)
HYPERV_HOST = KindSpec("hyperv_host", "HYPERV_VMM_HOST", "HV", 2, "windows", "vmhost", 0.95)
VMWARE_HOST = KindSpec("vmware_host", "VMWARE_VM_HOST", "ESX", 1, None, "vmhost", 0.0)
VMWARE_GUEST = KindSpec("vmware_guest", "VMWARE_VM_GUEST", "VM", 6, None, "guest", 0.0)
HYPERV_GUEST = KindSpec("hyperv_guest", "HYPERV_VMM_GUEST", "HVM", 5, None, "guest", 0.0)

KINDS = (
    WIN_DESKTOP,
    WIN_LAPTOP,
    MAC,
    LINUX_WS,
    WIN_SERVER,
    LINUX_SERVER,
    HYPERV_HOST,
    VMWARE_HOST,
    VMWARE_GUEST,
    HYPERV_GUEST,
)
VM_GUEST_CLASSES = frozenset({"VMWARE_VM_GUEST", "HYPERV_VMM_GUEST"})


class Plant(StrEnum):
    """What a planted slot demonstrates. The first group must be reported, the second must not."""

    MISSING = "missing_ninja"
    MISSING_LONG = "missing_ninja_long_name"
    DUPLICATE_TL = "duplicate_tl"
    DUPLICATE_TL_ORPHAN = "duplicate_tl_not_in_ninja"
    DUPLICATE_NINJA = "duplicate_ninja"
    SPARE_DISPLAY = "spare_by_display_name"
    SPARE_LOCATION = "spare_by_location"
    DISPLAY = "display_name_mismatch"
    SITE = "site_mismatch"
    # hard negatives
    TRUNCATED = "netbios_truncated"
    LONG_DNS = "long_name_with_dns_name"
    DISPLAY_CASE = "display_differs_only_in_case_or_spaces"
    BLANK_DISPLAY = "blank_ninja_display_tl_equals_hostname"
    EXEMPT_SPARE = "exempt_spare_in_threatlocker"
    ALIAS_ORG = "aliased_organisation"


# (rate per Ninja device, minimum count) of each planted case.
PLANT_RATES: dict[Plant, tuple[float, int]] = {
    Plant.MISSING: (0.008, 2),
    Plant.MISSING_LONG: (0.002, 1),
    Plant.DUPLICATE_TL: (0.004, 2),
    Plant.DUPLICATE_TL_ORPHAN: (0.001, 1),
    Plant.DUPLICATE_NINJA: (0.004, 2),
    Plant.SPARE_DISPLAY: (0.004, 1),
    Plant.SPARE_LOCATION: (0.002, 1),
    Plant.DISPLAY: (0.008, 2),
    Plant.SITE: (0.003, 2),
    Plant.TRUNCATED: (0.008, 2),
    Plant.LONG_DNS: (0.002, 1),
    Plant.DISPLAY_CASE: (0.005, 2),
    Plant.BLANK_DISPLAY: (0.003, 2),
    Plant.EXEMPT_SPARE: (0.002, 2),
    Plant.ALIAS_ORG: (0.002, 2),
}
TL_ONLY_PLANTS = frozenset({Plant.MISSING, Plant.MISSING_LONG, Plant.DUPLICATE_TL_ORPHAN})
LONG_NAME_PLANTS = frozenset({Plant.TRUNCATED, Plant.LONG_DNS, Plant.MISSING_LONG})
MIN_DEVICES = 50


# Not frozen: a frozen dataclass pays object.__setattr__ per field, and one is built per device.
@dataclass(slots=True)
class Machine:
    """Everything about one slot that does not depend on the fleet day."""

    slot: int
    plant: Plant | None
    kind: KindSpec
    org: int
    location: Location
    host: str
    """Canonical hostname, upper case, full length (may exceed 15 characters)."""
    person: str
    display: str
    """Ninja display name on the day the device appears."""
    display_spare: bool
    ninja_count: int
    dns_modes: tuple[str, ...]
    """Per Ninja record: "absent", "short" (bare host) or "fqdn"."""
    dns_domain: str
    tl_present: bool
    tl_count: int
    tl_orgs: tuple[int, ...]
    tl_hostnames: tuple[str, ...]
    tl_names: tuple[str, ...]
    """ThreatLocker computerName per record on the day the device appears."""
    tl_host: str
    """Hostname as ThreatLocker spells it (its case), without domain; prefixes computer names."""
    added_day: int
    removed_day: int
    move_day: int
    move_org: int
    move_location: Location | None
    toggle_day: int
    toggle_display: str
    tl_keep_on_remove: bool
    tl_follow_move: bool
    tl_keep_on_spare: bool
    tl_install_on_billable: bool
    offline: bool
    contact_offset: float
    created_offset: float


# Not frozen: a frozen dataclass pays object.__setattr__ per field, and one is built per device.
@dataclass(slots=True)
class SlotDay:
    """A machine's state on one fleet day."""

    ninja_present: bool
    org: int
    location: Location
    display: str
    spare: bool
    tl_present: bool
    tl_count: int
    """ThreatLocker records of this machine today (0 when ThreatLocker does not have it)."""
    tl_orgs: tuple[int, ...]
    tl_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hardware:
    cpu: Cpu
    sockets: int
    os: OsBuild
    ram_gib: int
    system_gib: int
    data_gib: int | None
    free_ratio: float
    manufacturer: str
    model: str
    chassis: str
    virtual: bool
    serial: str
    tpm: tuple[str | None, ...]
    """Values of the five TPM/Secure Boot custom fields; None = field not set."""
    boot_offset: float
    needs_reboot: bool
    tl_mode: str
    deny_counts: tuple[int, int, int]
    tl_version: str
    ip: str


def match_key(name: str | None) -> str:
    """The domain rules' match key: lower-cased, cut at the first `|`, then the first `.`, trimmed."""
    if not name:
        return ""
    return name.lower().split("|", 1)[0].split(".", 1)[0].strip()


def _geometric_day(rng: random.Random, p: float, start: int) -> int:
    """First day after `start` on which an event with daily probability p fires (memoryless)."""
    u = rng.random()
    return start + 1 + int(math.log(1.0 - u) / math.log(1.0 - p))


def _cased(host: str, mode: int) -> str:
    if mode == 0:
        return host
    if mode == 1:
        return host.lower()
    return "-".join(part[:1] + part[1:].lower() for part in host.split("-"))


class Weighted:
    """Weighted choice with precomputed cumulative weights (random.choices rebuilds them per call)."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, table: Iterable[tuple[Any, float]]) -> None:
        self.items: list[Any] = []
        self.cumulative: list[float] = []
        running = 0.0
        for item, weight in table:
            running += weight
            self.items.append(item)
            self.cumulative.append(running)
        self.total = running

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


_WORKSTATION_CPU = Weighted(catalog.WORKSTATION_CPUS)
_SERVER_CPU = Weighted(catalog.SERVER_CPUS)
_MAC_CPU = Weighted(catalog.MAC_CPUS)
_WIN_MODERN = Weighted(catalog.WIN_WORKSTATION_MODERN)
_WIN_LEGACY = Weighted(catalog.WIN_WORKSTATION_LEGACY)
_WIN_SERVER = Weighted(catalog.WIN_SERVER)
_MAC_OS = Weighted(catalog.MAC_OS)
_LINUX_OS = Weighted(catalog.LINUX_OS)
_RAM_WORKSTATION = Weighted(catalog.RAM_GIB_WORKSTATION)
_RAM_SERVER = Weighted(catalog.RAM_GIB_SERVER)
_VOLUME_WORKSTATION = Weighted(catalog.SYSTEM_VOLUME_GIB)
_VOLUME_SERVER = Weighted(catalog.SYSTEM_VOLUME_GIB_SERVER)
_KIND_PICK = Weighted((k, k.weight) for k in KINDS)
_ADDED_KIND_PICK = Weighted((k, k.weight) for k in KINDS if k.role != "guest")
_PLANT_KIND_PICK = Weighted(((WIN_DESKTOP, 45), (WIN_LAPTOP, 40), (MAC, 5), (WIN_SERVER, 10)))
_SPARE_PLANT_KIND_PICK = Weighted(((WIN_DESKTOP, 45), (WIN_LAPTOP, 50), (MAC, 5)))
_CASE_PICK = Weighted(((0, 55), (1, 35), (2, 10)))
_DNS_PICK = Weighted((("absent", 20), ("short", 25), ("fqdn", 55)))
# TPM / Secure Boot situations (see _tpm_profile) and how common they are on new and old hardware.
_TPM_MODERN = Weighted(
    (
        ("full", 50),
        ("full_long", 20),
        ("tpm_disabled", 5),
        ("sb_off", 8),
        ("sb_unavailable", 2),
        ("no_data", 6),
        ("empty", 4),
        ("no_tpm", 5),
    )
)
_TPM_LEGACY = Weighted(
    (
        ("full", 15),
        ("tpm12", 30),
        ("no_tpm", 20),
        ("sb_unavailable", 12),
        ("no_data", 10),
        ("tpm_disabled", 8),
        ("empty", 5),
    )
)
_TL_MODE_PICK = Weighted((("Secure", 85), ("Learning", 6), ("Installation", 5), ("MonitorOnly", 4)))


class Fleet:
    """The whole simulated estate: organisations in memory, devices generated per slot on demand."""

    def __init__(self, config: SimConfig) -> None:
        if config.devices < MIN_DEVICES:
            raise ValueError(f"devices must be at least {MIN_DEVICES} (room for every planted case)")
        self.config = config
        self.seed = config.seed
        self.reference_date = config.effective_reference_date()
        self.base_epoch = datetime.combine(self.reference_date, time(0), UTC).timestamp()
        self.world = World(config, self.base_epoch)
        self._plan()
        self.machine = lru_cache(maxsize=8192)(self._build_machine)
        self.hardware = lru_cache(maxsize=8192)(self._build_hardware)

    # ------------------------------------------------------------------ plan
    def _plan(self) -> None:
        n = self.config.devices
        self.plant_counts = {p: max(minimum, round(n * rate)) for p, (rate, minimum) in PLANT_RATES.items()}
        tl_only = sum(c for p, c in self.plant_counts.items() if p in TL_ONLY_PLANTS)
        # Day 0 serves exactly `devices` Ninja records: TL-only slots have none, Ninja duplicates two.
        self.base_slots = n + tl_only - self.plant_counts[Plant.DUPLICATE_NINJA]
        rng = stable_rng(self.seed, "plan")
        chosen = rng.sample(range(self.base_slots), sum(self.plant_counts.values()))
        self.plants: dict[int, Plant] = {}
        it = iter(chosen)
        for plant, count in self.plant_counts.items():
            for _ in range(count):
                self.plants[next(it)] = plant
        self.added_per_day = max(1, round(n * 0.004))
        self.p_remove = max(0.003, 2.0 / n)
        self.p_move = max(0.002, 2.0 / n)
        self.p_toggle = max(0.003, 2.5 / n)

    def universe(self, day: int) -> int:
        """Number of slots that may hold a device on `day` (new devices get new, higher slots)."""
        return self.base_slots + day * self.added_per_day

    def day_epoch(self, day: int) -> float:
        return self.base_epoch + day * DAY_SECONDS

    # --------------------------------------------------------------- machine
    def _build_machine(self, slot: int) -> Machine:
        world = self.world
        r = stable_rng(self.seed, "slot", slot)
        plant = self.plants.get(slot)
        added_day = 0
        if slot >= self.base_slots:
            added_day = 1 + (slot - self.base_slots) // self.added_per_day

        if plant in (Plant.SPARE_DISPLAY, Plant.SPARE_LOCATION, Plant.EXEMPT_SPARE):
            kind = _SPARE_PLANT_KIND_PICK.pick(r)
        elif plant is not None:
            kind = _PLANT_KIND_PICK.pick(r)
        elif added_day:
            kind = _ADDED_KIND_PICK.pick(r)
        else:
            kind = _KIND_PICK.pick(r)

        org: Org
        if plant is Plant.EXEMPT_SPARE:
            org = world.orgs[0]
        elif plant is Plant.ALIAS_ORG:
            org = world.orgs[r.choice(world.aliased_indices)]
        elif plant is Plant.SPARE_LOCATION:
            org = world.orgs[r.choice(world.spare_location_org_indices)]
        elif plant is None and r.random() < INTERNAL_SHARE:
            org = world.orgs[0]
        else:
            org = world.pick_client(r.random())

        normal = org.normal_locations
        location = normal[0] if r.random() < 0.6 else r.choice(normal)
        first, last = r.choice(catalog.FIRST_NAMES), r.choice(catalog.LAST_NAMES)
        person = f"{first} {last}"
        spare_mode: str | None = None
        if plant is Plant.EXEMPT_SPARE:
            location = org.exempt_location or location
            spare_mode = "exempt"
        elif plant is Plant.SPARE_LOCATION:
            location = org.spare_location or location
            spare_mode = "location"
        elif plant is Plant.SPARE_DISPLAY:
            spare_mode = "display"
        elif plant is None and kind.role == "workstation" and r.random() < 0.05:
            if org.internal and r.random() < 0.5 and org.exempt_location is not None:
                location, spare_mode = org.exempt_location, "exempt"
            elif org.spare_location is not None and r.random() < 0.4:
                location, spare_mode = org.spare_location, "location"
            else:
                spare_mode = "display"

        if plant in LONG_NAME_PLANTS:
            host = f"{org.code}-{slot:06d}{r.choice(catalog.LONG_NAME_TAILS)}"
        else:
            host = f"{org.code}-{kind.tag}{slot:05d}"

        x = r.random()
        note: str | None = person if x < 0.55 else r.choice(catalog.ROLE_NOTES) if x < 0.7 else None

        tl_only = plant in TL_ONLY_PLANTS
        if plant is not None:
            tl_present = plant is not Plant.DUPLICATE_NINJA or r.random() < 0.7
        else:
            tl_present = spare_mode is None and r.random() < kind.tl_probability

        # ThreatLocker spelling of the hostname: its own case, sometimes a domain suffix.
        case_mode = _CASE_PICK.pick(r)
        tl_domain = r.choice(catalog.TL_DOMAIN_SUFFIXES) if r.random() < 0.3 else ""
        if plant is Plant.BLANK_DISPLAY:
            case_mode, tl_domain = 0, ""
        tl_host = _cased(host, case_mode)

        display_spare = spare_mode == "display" or (spare_mode == "exempt" and not location.spare)
        if display_spare:
            display = r.choice((f"{host} | SPARE", f"{host} | Spare - was {person}", f"{host} | spare laptop"))
        elif note:
            display = f"{host} | {note}"
        elif plant is None and not tl_present and r.random() < 0.3:
            display = ""
        else:
            display = host
        tl_name = _tl_view(display, host, tl_host)

        if plant is Plant.DISPLAY:
            other = f"{r.choice(catalog.FIRST_NAMES)} {r.choice(catalog.LAST_NAMES)}"
            if other == person:
                other = f"{person} Jr"
            variant = r.randrange(5)
            if variant == 0:
                display, tl_name = f"{host} | {person}", f"{tl_host} | {other}"
            elif variant == 1:
                display, tl_name = "", f"{tl_host} | {person}"
            elif variant == 2:
                display, tl_name = host, f"{tl_host} | {person}"
            elif variant == 3:
                display, tl_name = f"{host} | Front Desk", f"{tl_host} | Reception"
            else:
                display, tl_name = f"{host} - {first}", f"{tl_host} | {first}"
        elif plant is Plant.DISPLAY_CASE:
            display = f"{host} | {person}" if r.random() < 0.5 else f" {host} | {person}  "
            tl_name = f"  {tl_host.swapcase()} | {person.upper()} "
        elif plant is Plant.BLANK_DISPLAY:
            display, tl_name = "", tl_host
        elif plant is Plant.SPARE_DISPLAY and r.random() < 0.5:
            tl_name = f"{tl_host} | {person}"

        ninja_count = 0 if tl_only else 2 if plant is Plant.DUPLICATE_NINJA else 1
        dns_domain = r.choice(catalog.DNS_DOMAINS)
        if plant is Plant.TRUNCATED:
            dns_modes: tuple[str, ...] = ("absent",)
        elif plant is Plant.LONG_DNS:
            dns_modes = ("fqdn",)
        elif plant is Plant.DUPLICATE_NINJA:
            dns_modes = ("fqdn", "absent")
        else:
            dns_modes = (_DNS_PICK.pick(r),)

        # Records ThreatLocker holds whenever it has this machine (agentless records never get it).
        tl_count = 0
        if kind.os_family is not None:
            tl_count = 1
            if plant is Plant.DUPLICATE_TL:
                tl_count = 3 if r.random() < 0.15 else 2
            elif plant is Plant.DUPLICATE_TL_ORPHAN:
                tl_count = 2
        tl_org = org.index
        if plant is Plant.SITE:
            tl_org = self._other_client(r, org.index)
        tl_orgs = [tl_org] * tl_count
        hostnames = [tl_host + tl_domain] * tl_count
        names = [tl_name] * tl_count
        for extra in range(1, tl_count):
            # A re-installed agent: the same machine under another spelling of its name.
            hostnames[extra] = _cased(host, (case_mode + extra) % 3) + (
                "" if tl_domain else r.choice(catalog.TL_DOMAIN_SUFFIXES)
            )
            names[extra] = tl_name.upper() if extra % 2 else tl_name.lower()
            if plant is Plant.DUPLICATE_TL_ORPHAN and r.random() < 0.5:
                tl_orgs[extra] = self._other_client(r, org.index)

        eligible = plant is None and kind.role != "guest" and ninja_count > 0
        removed_day = _geometric_day(r, self.p_remove, added_day) if eligible else INF_DAY
        move_day, move_org, move_location = INF_DAY, org.index, None
        if eligible and not org.internal:
            move_day = _geometric_day(r, self.p_move, added_day)
            move_org = self._other_client(r, org.index)
            move_location = self.world.orgs[move_org].normal_locations[0]
        toggle_day = INF_DAY
        if eligible and kind.role == "workstation" and spare_mode in (None, "display"):
            # Spares go back into service far more often than a working machine is shelved.
            p = min(0.2, 10 * self.p_toggle) if display_spare else self.p_toggle
            toggle_day = _geometric_day(r, p, added_day)
        toggle_display = f"{host} | {person}" if display_spare else f"{host} | SPARE"

        return Machine(
            slot=slot,
            plant=plant,
            kind=kind,
            org=org.index,
            location=location,
            host=host,
            person=person,
            display=display,
            display_spare=display_spare,
            ninja_count=ninja_count,
            dns_modes=dns_modes * ninja_count if len(dns_modes) == 1 else dns_modes,
            dns_domain=dns_domain,
            tl_present=tl_present,
            tl_count=tl_count,
            tl_orgs=tuple(tl_orgs),
            tl_hostnames=tuple(hostnames),
            tl_names=tuple(names),
            tl_host=tl_host,
            added_day=added_day,
            removed_day=removed_day,
            move_day=move_day,
            move_org=move_org,
            move_location=move_location,
            toggle_day=toggle_day,
            toggle_display=toggle_display,
            tl_keep_on_remove=r.random() < 0.3,
            tl_follow_move=r.random() < 0.75,
            tl_keep_on_spare=r.random() < 0.4,
            tl_install_on_billable=r.random() < 0.7,
            offline=r.random() < 0.05,
            contact_offset=r.randrange(60_000, 6 * 3600 * 1000) / 1000,
            created_offset=(r.randrange(1, 1500) * DAY_SECONDS if not added_day else 0)
            + r.randrange(0, 8 * 3600 * 1000) / 1000,
        )

    def _other_client(self, r: random.Random, org_index: int) -> int:
        """A client organisation other than `org_index` (client indices are 1..len-1)."""
        clients = len(self.world.orgs) - 1
        if org_index == 0:
            return 1 + r.randrange(clients)
        pick = 1 + r.randrange(clients - 1)
        return pick + 1 if pick >= org_index else pick

    # ------------------------------------------------------------- day state
    def day_state(self, m: Machine, day: int) -> SlotDay | None:
        """The machine on `day`, or None when neither vendor knows it (not yet added, gone)."""
        if day < m.added_day:
            return None
        ninja_present = m.ninja_count > 0 and day < m.removed_day
        # Moves and toggles after the Ninja removal are meaningless; freeze the state at removal.
        effective = min(day, m.removed_day - 1)
        moved = effective >= m.move_day
        org = m.move_org if moved else m.org
        location = m.move_location if moved and m.move_location is not None else m.location
        toggled = effective >= m.toggle_day
        display = m.toggle_display if toggled else m.display
        display_spare = m.display_spare != toggled
        spare = display_spare or location.spare

        tl_present = m.tl_present
        tl_names = m.tl_names
        if toggled:
            if m.display_spare:
                # Back in service: ThreatLocker (re)installed under its new name.
                tl_present = m.tl_install_on_billable
                tl_names = (_tl_view(display, m.host, m.tl_host),) * m.tl_count
            else:
                tl_present = tl_present and m.tl_keep_on_spare
        if not ninja_present and m.ninja_count > 0:
            tl_present = tl_present and m.tl_keep_on_remove
        tl_orgs = m.tl_orgs
        if moved and m.tl_follow_move:
            tl_orgs = (org,) * len(tl_orgs)
        if not ninja_present and not tl_present:
            return None
        return SlotDay(
            ninja_present=ninja_present,
            org=org,
            location=location,
            display=display,
            spare=spare,
            tl_present=tl_present,
            tl_count=m.tl_count if tl_present else 0,
            tl_orgs=tl_orgs,
            tl_names=tl_names,
        )

    # -------------------------------------------------------------- hardware
    def _build_hardware(self, slot: int) -> Hardware | None:
        m = self.machine(slot)
        kind = m.kind
        if kind.os_family is None:
            return None
        r = stable_rng(self.seed, "hw", slot)
        virtual = False
        sockets = 1
        if kind.os_family == "mac":
            cpu = _MAC_CPU.pick(r)
            os = _MAC_OS.pick(r)
            manufacturer, model, chassis = r.choice(catalog.MAC_MODELS)
        elif kind.role in ("server", "vmhost"):
            cpu = _SERVER_CPU.pick(r)
            os = (_LINUX_OS if kind.os_family == "linux" else _WIN_SERVER).pick(r)
            manufacturer, model, chassis = r.choice(catalog.SERVER_MODELS)
            virtual = manufacturer in ("VMware, Inc.", "Microsoft Corporation")
            if kind.role == "vmhost" and virtual:
                manufacturer, model, chassis = catalog.SERVER_MODELS[0]
                virtual = False
            sockets = 2 if not virtual and r.random() < 0.3 else 1
        else:
            cpu = _WORKSTATION_CPU.pick(r)
            if kind.os_family == "linux":
                os = _LINUX_OS.pick(r)
            elif cpu.modern:
                os = _WIN_MODERN.pick(r)
            else:
                os = _WIN_LEGACY.pick(r)
            models = catalog.LAPTOP_MODELS if kind.laptop else catalog.DESKTOP_MODELS
            manufacturer, model, chassis = r.choice(models)
        server_like = kind.role in ("server", "vmhost")
        ram = (_RAM_SERVER if server_like else _RAM_WORKSTATION).pick(r)
        system = (_VOLUME_SERVER if server_like else _VOLUME_WORKSTATION).pick(r)
        data = r.choice((500, 1000, 2000, 4000)) if server_like and r.random() < 0.7 else None
        tpm = _tpm_profile(r, cpu.modern) if kind.os_family == "windows" else (None,) * 5
        mode = _TL_MODE_PICK.pick(r)
        one = r.choice((0, 0, 0, 1, 2, 5))
        three = one + r.choice((0, 0, 1, 3))
        return Hardware(
            cpu=cpu,
            sockets=sockets,
            os=os,
            ram_gib=ram,
            system_gib=system,
            data_gib=data,
            free_ratio=r.uniform(0.05, 0.8),
            manufacturer=manufacturer,
            model=model,
            chassis=chassis,
            virtual=virtual,
            serial=f"{stable_int(self.seed, 'sn', slot):016X}"[:10],
            tpm=tpm,
            boot_offset=r.randrange(3600, 30 * DAY_SECONDS),
            needs_reboot=r.random() < 0.15,
            tl_mode=mode,
            deny_counts=(one, three, three + r.choice((0, 1, 4, 10))),
            tl_version=r.choice(catalog.TL_VERSIONS),
            ip=f"10.{r.randrange(0, 255)}.{r.randrange(0, 255)}.{r.randrange(2, 254)}",
        )

    # ----------------------------------------------------------- Ninja render
    def ninja_id(self, slot: int, record: int) -> int:
        return NINJA_ID_BASE + 2 * slot + record

    @staticmethod
    def slot_of_ninja_id(device_id: int) -> tuple[int, int]:
        offset = device_id - NINJA_ID_BASE
        return offset // 2, offset % 2

    def ninja_names(self, m: Machine, record: int) -> tuple[str, str | None]:
        """(systemName, dnsName or None) of one Ninja record."""
        system_name = m.host[:15]
        mode = m.dns_modes[record]
        if mode == "absent":
            return system_name, None
        host = m.host.lower()
        return system_name, host if mode == "short" else f"{host}.{m.dns_domain}"

    def iter_ninja(self, day: int, after: int | None) -> Iterator[tuple[int, Machine, SlotDay, int]]:
        """Ninja records with id > after in ascending id order: (id, machine, state, record)."""
        start = 0 if after is None else max(0, (after - NINJA_ID_BASE) // 2)
        for slot in range(start, self.universe(day)):
            m = self.machine(slot)
            if m.ninja_count == 0:
                continue
            st = self.day_state(m, day)
            if st is None or not st.ninja_present:
                continue
            for record in range(m.ninja_count):
                device_id = self.ninja_id(slot, record)
                if after is None or device_id > after:
                    yield device_id, m, st, record

    def ninja_device(self, m: Machine, st: SlotDay, record: int, day: int, detailed: bool) -> dict[str, Any]:
        org = self.world.orgs[st.org]
        location = st.location
        system_name, dns_name = self.ninja_names(m, record)
        now = self.day_epoch(day)
        # The second record of a Ninja duplicate is an older agent of the same machine, gone quiet.
        created = self.day_epoch(m.added_day) - m.created_offset - record * 40 * DAY_SECONDS
        created = min(created, now - 3600)
        offline = m.offline or record == 1
        if offline:
            last_contact = max(created + 600, self.base_epoch - 9 * DAY_SECONDS - m.contact_offset)
        else:
            last_contact = now - m.contact_offset
        device: dict[str, Any] = {
            "id": self.ninja_id(m.slot, record),
            "uid": stable_guid(self.seed, "uid", m.slot, record),
            "organizationId": org.ninja_id,
            "locationId": location.id,
            "nodeClass": m.kind.node_class,
            "nodeRoleId": 1 + KINDS.index(m.kind),
            "rolePolicyId": 100 + KINDS.index(m.kind),
            "approvalStatus": "APPROVED",
            "offline": offline,
            "displayName": st.display,
            "systemName": system_name,
        }
        if dns_name is not None:
            device["dnsName"] = dns_name
        device.update(
            {
                "netbiosName": system_name,
                "created": round(created, 3),
                "lastContact": round(last_contact, 3),
                "lastUpdate": round(last_contact - 12.5, 3),
                "tags": [],
                "fields": {},
                "maintenance": None,
            }
        )
        if not detailed:
            return device
        device["references"] = {
            "organization": self.ninja_org(org),
            "location": self.ninja_location(location),
        }
        hw = self.hardware(m.slot)
        if hw is None:
            return device
        windows = m.kind.os_family == "windows"
        capacity = hw.system_gib * GIB
        volumes = [
            {
                "name": "C:" if windows else "/",
                "driveLetter": "C:" if windows else None,
                "label": "Windows" if windows else "Macintosh HD" if m.kind.os_family == "mac" else "root",
                "deviceType": "Local Disk",
                "fileSystem": "NTFS" if windows else "APFS" if m.kind.os_family == "mac" else "ext4",
                "capacity": capacity,
                "freeSpace": int(capacity * hw.free_ratio),
            }
        ]
        if hw.data_gib is not None:
            data_capacity = hw.data_gib * GIB
            volumes.append(
                {
                    "name": "D:" if windows else "/data",
                    "driveLetter": "D:" if windows else None,
                    "label": "Data",
                    "deviceType": "Local Disk",
                    "fileSystem": "NTFS" if windows else "ext4",
                    "capacity": data_capacity,
                    "freeSpace": int(data_capacity * (1 - hw.free_ratio / 2)),
                }
            )
        processor = {
            "name": hw.cpu.name,
            "architecture": hw.cpu.architecture,
            "maxClockSpeed": hw.cpu.max_mhz * 1_000_000,
            "clockSpeed": hw.cpu.max_mhz * 1_000_000,
            "numCores": hw.cpu.cores,
            "numLogicalCores": hw.cpu.threads,
        }
        device.update(
            {
                "os": {
                    "manufacturer": hw.os.manufacturer,
                    "name": hw.os.name,
                    "architecture": hw.os.architecture,
                    "buildNumber": hw.os.build,
                    "releaseId": hw.os.release,
                    "lastBootTime": round(last_contact - hw.boot_offset, 3),
                    "needsReboot": hw.needs_reboot,
                },
                "system": {
                    "manufacturer": hw.manufacturer,
                    "model": hw.model,
                    "serialNumber": hw.serial,
                    "biosSerialNumber": hw.serial,
                    "domain": m.dns_domain if m.dns_modes[record] != "absent" else "WORKGROUP",
                    "totalPhysicalMemory": hw.ram_gib * GIB,
                    "virtualMachine": hw.virtual,
                    "chassisType": hw.chassis,
                },
                "memory": {"capacity": hw.ram_gib * GIB},
                "processors": [dict(processor) for _ in range(hw.sockets)],
                "volumes": volumes,
            }
        )
        return device

    def ninja_org(self, org: Org) -> dict[str, Any]:
        return {
            "id": org.ninja_id,
            "name": org.name,
            "description": "Managed service provider (internal)" if org.internal else "",
            "nodeApprovalMode": "AUTOMATIC",
            "tags": [],
            "fields": {},
        }

    @staticmethod
    def ninja_location(location: Location) -> dict[str, Any]:
        return {
            "id": location.id,
            "name": location.name,
            "address": location.address,
            "description": location.description,
            "organizationId": location.org_index + 1,
        }

    def custom_fields(self, m: Machine) -> dict[str, str]:
        """Flat custom-field map of a device: only fields the TPM script has set."""
        hw = self.hardware(m.slot)
        if hw is None:
            return {}
        return {name: value for name, value in zip(self.config.tpm_fields, hw.tpm, strict=True) if value is not None}

    # ----------------------------------------------------- ThreatLocker render
    def tl_row(self, m: Machine, st: SlotDay, record: int, day: int) -> dict[str, Any]:
        org = self.world.orgs[st.tl_orgs[record]]
        hw = self.hardware(m.slot)
        assert hw is not None  # only agent machines carry ThreatLocker
        family = m.kind.os_family
        if family == "windows":
            os_type = 1
            operating_system = hw.os.name.replace(" Edition", "").replace("Professional", "Pro")
        elif family == "mac":
            os_type, operating_system = 2, f"macOS {hw.os.release}"
        else:
            os_type, operating_system = 3, hw.os.name
        group = {"workstation": "Workstations", "server": "Servers", "vmhost": "Servers"}[m.kind.role]
        if family == "mac":
            group = "Mac Computers"
        elif family == "linux":
            group = "Linux"
        now = self.day_epoch(day)
        installed = self.day_epoch(m.added_day) - m.created_offset + 3600 + record * 30 * DAY_SECONDS
        installed = min(installed, now - 7200)
        stale = m.offline or record > 0
        checkin = (
            max(installed + 900, self.base_epoch - 12 * DAY_SECONDS - m.contact_offset)
            if stale
            else now - m.contact_offset / 2
        )
        first, _, last = m.person.partition(" ")
        return {
            "computerId": stable_guid(self.seed, "tl", m.slot, record),
            "computerName": st.tl_names[record],
            "hostname": m.tl_hostnames[record],
            "group": group,
            "computerGroupId": stable_guid(self.seed, "tl-group", org.index, group),
            "organizationId": org.tl_id,
            "organization": org.tl_name,
            "osType": os_type,
            "operatingSystem": operating_system,
            "action": hw.tl_mode,
            "mode": hw.tl_mode,
            "maintenanceTypeId": {"Secure": 0, "Learning": 1, "Installation": 3, "MonitorOnly": 8}[hw.tl_mode],
            "maintenanceEndDate": None if hw.tl_mode == "Secure" else _iso(now + 3 * DAY_SECONDS),
            "threatLockerVersion": hw.tl_version,
            "lastCheckin": _iso(checkin),
            "lastCheckinIPAddress": hw.ip,
            "dateAdded": _iso(installed),
            "installDate": _iso(installed + 120),
            "denyCountOneDay": hw.deny_counts[0],
            "denyCountThreeDays": hw.deny_counts[1],
            "denyCountSevenDays": hw.deny_counts[2],
            "username": f"{m.dns_domain.split('.')[0].upper()}\\{first.lower()}.{last.lower()}",
            "isIsolated": False,
            "isLockDownMode": False,
            "isLockedOut": False,
            "isTamperProtectionDisabled": False,
            "isDeleted": False,
            "hasAtLeastOneCheckin": True,
        }

    def scan(self, day: int) -> Iterator[tuple[Machine, SlotDay]]:
        """Every machine known to either vendor on `day`, in slot order."""
        for slot in range(self.universe(day)):
            m = self.machine(slot)
            st = self.day_state(m, day)
            if st is not None:
                yield m, st


def _tl_view(display: str, host: str, tl_host: str) -> str:
    """ThreatLocker's computerName for a Ninja display name: same text, ThreatLocker's host spelling."""
    if display.upper().startswith(host.upper()):
        return tl_host + display[len(host) :]
    return display or tl_host


def _iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _tpm_profile(r: random.Random, modern: bool) -> tuple[str | None, ...]:
    """(hastpm, tpmenabled, tpmversion, securebootavailable, securebootenabled) as the script writes them."""
    profile = (_TPM_MODERN if modern else _TPM_LEGACY).pick(r)
    match profile:
        case "full":
            return ("true", "true", "2.0", "true", "true")
        case "full_long":
            return ("true", "true", "2.0, 0, 1.38", "true", "true")
        case "tpm_disabled":
            return ("true", "false", "2.0", "true", "true")
        case "sb_off":
            return ("true", "true", "2.0", "true", "false")
        case "sb_unavailable":
            return ("true", "true", "2.0", "false", "false")
        case "tpm12":
            return ("true", "true", "1.2", "true", r.choice(("true", "false")))
        case "no_tpm":
            return ("false", "false", "", "true", "false")
        case "empty":
            return ("", "", "", "", "")
        case _:
            return (None, None, None, None, None)
