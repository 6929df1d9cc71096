"""Ground truth: what a correct reconciliation of the simulated vendors must report, and day-to-day changes.

`reconcile()` is a small reference implementation of the six variance checks of domain-rules.md. The
simulator applies it slot by slot (fleet.py guarantees that no match key crosses slots), so the truth is
the rules applied to exactly the records served, not a hand-kept list that could drift from them. Tests
run the same function over the whole served fleet to prove the slot-by-slot shortcut is exact.

`DayIndex` is the one full pass over a fleet day: ThreatLocker's name order (the portal sorts by
computer name, so a page needs the global order), the sorted Ninja ids, and the truth. It holds a few
bytes per device, never the devices themselves.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

from vendor_sim.fleet import VM_GUEST_CLASSES, Fleet, Machine, Plant, SlotDay, match_key

VARIANCE_TYPES = (
    "MISSING_NINJA",
    "DUPLICATE_TL",
    "DUPLICATE_NINJA",
    "SPARE_MISMATCH",
    "DISPLAY_NAME_MISMATCH",
    "SITE_MISMATCH",
)
WORKSTATION_CLASSES = frozenset({"WINDOWS_WORKSTATION", "MAC", "LINUX_WORKSTATION"})
HARD_NEGATIVE_PLANTS = (
    Plant.TRUNCATED,
    Plant.LONG_DNS,
    Plant.DISPLAY_CASE,
    Plant.BLANK_DISPLAY,
    Plant.EXEMPT_SPARE,
    Plant.ALIAS_ORG,
)


class NinjaRow(NamedTuple):
    key: str
    organization: str
    display_name: str
    location: str
    node_class: str


class TlRow(NamedTuple):
    key: str
    organization: str
    computer_name: str
    hostname: str


def ninja_key(system_name: str | None, dns_name: str | None) -> str:
    """Ninja match key: the host part of dnsName when present, else systemName."""
    return match_key(dns_name) if dns_name else match_key(system_name)


def is_spare(display_name: str, location: str) -> bool:
    return "spare" in display_name.lower() or "spare" in location.lower()


def display_names_differ(ninja_display: str, tl_name: str, tl_hostname: str) -> bool:
    ninja_value = ninja_display.strip().lower()
    tl_value = tl_name.strip().lower()
    if ninja_value == tl_value:
        return False
    return not (ninja_value == "" and tl_value == tl_hostname.strip().lower())


def reconcile(
    ninja: Iterable[NinjaRow],
    tl: Iterable[TlRow],
    aliases: Mapping[str, str],
    exempt_locations: Iterable[str],
) -> dict[str, set[str]]:
    """The six checks of domain-rules.md. `aliases` maps a ThreatLocker organisation name to Ninja's.

    Matched-device checks report the Ninja key (for a NetBIOS-truncated match, the 15-character key).
    """
    exempt = {name.strip().lower() for name in exempt_locations}
    found: dict[str, set[str]] = {t: set() for t in VARIANCE_TYPES}
    by_key: dict[str, list[NinjaRow]] = defaultdict(list)
    for row in ninja:
        by_key[row.key].append(row)
    found["DUPLICATE_NINJA"] = {key for key, rows in by_key.items() if len(rows) > 1}
    tl_rows = list(tl)
    found["DUPLICATE_TL"] = {key for key, n in Counter(r.key for r in tl_rows).items() if n > 1}
    for t in tl_rows:
        key = t.key
        matches = by_key.get(key)
        if not matches and len(key) > 15 and key[:15] in by_key:
            key = key[:15]
            matches = by_key[key]
        if not matches:
            found["MISSING_NINJA"].add(t.key)
            continue
        for n in matches:
            if is_spare(n.display_name, n.location) and n.location.strip().lower() not in exempt:
                found["SPARE_MISMATCH"].add(key)
            if display_names_differ(n.display_name, t.computer_name, t.hostname):
                found["DISPLAY_NAME_MISMATCH"].add(key)
            if aliases.get(t.organization, t.organization) != n.organization:
                found["SITE_MISMATCH"].add(key)
    return found


@dataclass
class OrgTruth:
    ninja_id: int
    name: str
    threatlocker_name: str
    threatlocker_id: str
    internal: bool
    locations: int
    devices: int = 0
    devices_excluding_vm_guests: int = 0
    vm_guests: int = 0
    billable: int = 0
    spare: int = 0
    seats: int = 0
    """Billable workstations (Windows, Mac, Linux workstations; no servers, no VM hosts)."""
    servers: int = 0
    vm_hosts: int = 0
    windows_workstations: int = 0
    threatlocker_computers: int = 0

    @property
    def endpoints(self) -> int:
        return self.billable

    def to_json(self) -> dict[str, Any]:
        return {
            "ninja_id": self.ninja_id,
            "name": self.name,
            "threatlocker_name": self.threatlocker_name,
            "threatlocker_id": self.threatlocker_id,
            "internal": self.internal,
            "locations": self.locations,
            "devices": self.devices,
            "devices_excluding_vm_guests": self.devices_excluding_vm_guests,
            "vm_guests": self.vm_guests,
            "billable": self.billable,
            "spare": self.spare,
            "endpoints": self.endpoints,
            "seats": self.seats,
            "servers": self.servers,
            "vm_hosts": self.vm_hosts,
            "windows_workstations": self.windows_workstations,
            "threatlocker_computers": self.threatlocker_computers,
        }


@dataclass
class Truth:
    """What a correct collection + reconciliation of fleet day `day` yields."""

    day: int
    date: str
    seed: int
    devices: int
    ninja_device_count: int = 0
    ninja_device_count_excluding_vm_guests: int = 0
    ninja_vm_guest_count: int = 0
    ninja_by_node_class: dict[str, int] = field(default_factory=dict)
    windows_workstations: int = 0
    billable: int = 0
    spare: int = 0
    seats: int = 0
    tl_computer_count: int = 0
    tl_parent_org_computer_count: int = 0
    variances: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in VARIANCE_TYPES})
    variances_without_settings: dict[str, set[str]] = field(
        default_factory=lambda: {"SPARE_MISMATCH": set(), "SITE_MISMATCH": set()}
    )
    """What SPARE/SITE checks report without exempt locations / without the alias map."""
    organization_aliases: list[dict[str, str]] = field(default_factory=list)
    internal_organizations: list[str] = field(default_factory=list)
    spare_exempt_locations: list[str] = field(default_factory=list)
    tpm_fields: list[str] = field(default_factory=list)
    planted: dict[str, set[str]] = field(default_factory=dict)
    """Keys of the planted slots present today, per case (hard negatives included)."""
    netbios_truncated: list[dict[str, Any]] = field(default_factory=list)
    organizations: dict[int, OrgTruth] = field(default_factory=dict)

    @property
    def hard_negatives(self) -> dict[str, set[str]]:
        return {p.value: self.planted.get(p.value, set()) for p in HARD_NEGATIVE_PLANTS}

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "date": self.date,
            "seed": self.seed,
            "devices": self.devices,
            "ninja": {
                "device_count": self.ninja_device_count,
                "device_count_excluding_vm_guests": self.ninja_device_count_excluding_vm_guests,
                "vm_guest_count": self.ninja_vm_guest_count,
                "by_node_class": dict(sorted(self.ninja_by_node_class.items())),
                "windows_workstations": self.windows_workstations,
                "billable": self.billable,
                "spare": self.spare,
                "seats": self.seats,
            },
            "threatlocker": {
                "computer_count": self.tl_computer_count,
                "parent_org_computer_count": self.tl_parent_org_computer_count,
                "child_organization_count": len(self.organizations) - 1,
            },
            "variances": {t: sorted(self.variances[t]) for t in VARIANCE_TYPES},
            "variance_counts": {t: len(self.variances[t]) for t in VARIANCE_TYPES},
            "variances_without_settings": {t: sorted(v) for t, v in self.variances_without_settings.items()},
            "organization_aliases": self.organization_aliases,
            "internal_organizations": self.internal_organizations,
            "spare_exempt_locations": self.spare_exempt_locations,
            "tpm_fields": self.tpm_fields,
            "hard_negatives": {name: sorted(keys) for name, keys in self.hard_negatives.items()},
            "netbios_truncated": self.netbios_truncated,
            "planted": {name: sorted(keys) for name, keys in sorted(self.planted.items())},
            "organizations": [o.to_json() for o in self.organizations.values()],
        }


def slot_rows(fleet: Fleet, m: Machine, st: SlotDay) -> tuple[list[NinjaRow], list[TlRow]]:
    """The reconciliation view of one machine's records on a day (same names the API serves)."""
    orgs = fleet.world.orgs
    ninja: list[NinjaRow] = []
    if st.ninja_present:
        org_name = orgs[st.org].name
        for record in range(m.ninja_count):
            system_name, dns_name = fleet.ninja_names(m, record)
            ninja.append(
                NinjaRow(
                    ninja_key(system_name, dns_name),
                    org_name,
                    st.display,
                    st.location.name,
                    m.kind.node_class,
                )
            )
    tl = [
        TlRow(match_key(m.tl_hostnames[r]), orgs[st.tl_orgs[r]].tl_name, st.tl_names[r], m.tl_hostnames[r])
        for r in range(st.tl_count)
    ]
    return ninja, tl


class DayIndex:
    """One pass over a fleet day: ThreatLocker name order, Ninja ids, and the ground truth."""

    def __init__(self, fleet: Fleet, day: int) -> None:
        self.day = day
        config = fleet.config
        world = fleet.world
        aliases = {o.tl_name: o.name for o in world.orgs}
        exempt = config.spare_exempt_locations
        exempt_lower = {name.strip().lower() for name in exempt}
        truth = Truth(
            day=day,
            date=(fleet.reference_date + timedelta(days=day)).isoformat(),
            seed=config.seed,
            devices=config.devices,
            organization_aliases=world.tl_alias_pairs(),
            internal_organizations=[world.orgs[0].name],
            spare_exempt_locations=list(exempt),
            tpm_fields=list(config.tpm_fields),
        )
        for org in world.orgs:
            truth.organizations[org.index] = OrgTruth(
                ninja_id=org.ninja_id,
                name=org.name,
                threatlocker_name=org.tl_name,
                threatlocker_id=org.tl_id,
                internal=org.internal,
                locations=len(org.locations),
            )
        ninja_ids = array("q")
        tl_entries: list[tuple[str, int]] = []
        tl_org_of_ref: dict[int, int] = {}
        node_classes: Counter[str] = Counter()

        for m, st in fleet.scan(day):
            ninja_rows, tl_rows = slot_rows(fleet, m, st)
            if st.ninja_present:
                org_truth = truth.organizations[st.org]
                node_class = m.kind.node_class
                guest = node_class in VM_GUEST_CLASSES
                for record in range(m.ninja_count):
                    ninja_ids.append(fleet.ninja_id(m.slot, record))
                    node_classes[node_class] += 1
                    org_truth.devices += 1
                    if guest:
                        org_truth.vm_guests += 1
                        continue
                    org_truth.devices_excluding_vm_guests += 1
                    if node_class == "WINDOWS_WORKSTATION":
                        org_truth.windows_workstations += 1
                    if m.kind.role == "server":
                        org_truth.servers += 1
                    elif m.kind.role == "vmhost":
                        org_truth.vm_hosts += 1
                    if st.spare:
                        org_truth.spare += 1
                    else:
                        org_truth.billable += 1
                        if node_class in WORKSTATION_CLASSES:
                            org_truth.seats += 1
            for record in range(st.tl_count):
                ref = m.slot * 4 + record
                tl_entries.append((st.tl_names[record].casefold(), ref))
                tl_org_of_ref[ref] = st.tl_orgs[record]
                truth.organizations[st.tl_orgs[record]].threatlocker_computers += 1
            if len(ninja_rows) == 1 and len(tl_rows) == 1 and ninja_rows[0].key == tl_rows[0].key:
                # The common case, checked inline: it is most of the fleet and reconcile() is slow.
                self._check_pair(truth, ninja_rows[0], tl_rows[0], aliases, exempt_lower)
            elif tl_rows or len(ninja_rows) > 1:
                found = reconcile(ninja_rows, tl_rows, aliases, exempt)
                bare = reconcile(ninja_rows, tl_rows, {}, ())
                for variance, keys in found.items():
                    truth.variances[variance] |= keys
                truth.variances_without_settings["SPARE_MISMATCH"] |= bare["SPARE_MISMATCH"]
                truth.variances_without_settings["SITE_MISMATCH"] |= bare["SITE_MISMATCH"]
            if m.plant is not None:
                key = ninja_rows[0].key if ninja_rows else tl_rows[0].key
                truth.planted.setdefault(m.plant.value, set()).add(key)
                if m.plant is Plant.TRUNCATED and ninja_rows and tl_rows:
                    truth.netbios_truncated.append(
                        {
                            "ninja_id": fleet.ninja_id(m.slot, 0),
                            "ninja_key": ninja_rows[0].key,
                            "tl_key": tl_rows[0].key,
                        }
                    )

        truth.ninja_by_node_class = dict(node_classes)
        for o in truth.organizations.values():
            truth.ninja_device_count += o.devices
            truth.ninja_device_count_excluding_vm_guests += o.devices_excluding_vm_guests
            truth.ninja_vm_guest_count += o.vm_guests
            truth.windows_workstations += o.windows_workstations
            truth.billable += o.billable
            truth.spare += o.spare
            truth.seats += o.seats
            truth.tl_computer_count += o.threatlocker_computers
        truth.tl_parent_org_computer_count = truth.organizations[0].threatlocker_computers
        self.truth = truth
        self.ninja_ids = ninja_ids

        # ThreatLocker orders by computer name; ties (duplicates) fall back to record order.
        tl_entries.sort()
        self.tl_refs = array("q", (ref for _, ref in tl_entries))
        self.tl_orgs = array("i", (tl_org_of_ref[ref] for ref in self.tl_refs))

    @staticmethod
    def _check_pair(truth: Truth, n: NinjaRow, t: TlRow, aliases: Mapping[str, str], exempt_lower: set[str]) -> None:
        """reconcile() for one Ninja row and one ThreatLocker row sharing a key (same rules)."""
        key = n.key
        if is_spare(n.display_name, n.location):
            truth.variances_without_settings["SPARE_MISMATCH"].add(key)
            if n.location.strip().lower() not in exempt_lower:
                truth.variances["SPARE_MISMATCH"].add(key)
        if display_names_differ(n.display_name, t.computer_name, t.hostname):
            truth.variances["DISPLAY_NAME_MISMATCH"].add(key)
        if aliases.get(t.organization, t.organization) != n.organization:
            truth.variances["SITE_MISMATCH"].add(key)
        if t.organization != n.organization:
            truth.variances_without_settings["SITE_MISMATCH"].add(key)


@dataclass
class Changes:
    from_day: int
    to_day: int
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    org_changed: list[dict[str, Any]] = field(default_factory=list)
    billing_changed: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "from_day": self.from_day,
            "to_day": self.to_day,
            "added": self.added,
            "removed": self.removed,
            "org_changed": [c["id"] for c in self.org_changed],
            "billing_changed": [c["id"] for c in self.billing_changed],
            "org_changed_details": self.org_changed,
            "billing_changed_details": self.billing_changed,
            "counts": {
                "added": len(self.added),
                "removed": len(self.removed),
                "org_changed": len(self.org_changed),
                "billing_changed": len(self.billing_changed),
            },
        }


def changes_between(fleet: Fleet, from_day: int, to_day: int) -> Changes:
    """Ninja device ids added, removed, moved to another organisation, or changing billing status.

    Classification as the usage-change report does it: absent at the start → added; absent at the end →
    removed; organisation differs → org_changed; otherwise spare/billable differs → billing_changed.
    """
    result = Changes(from_day=from_day, to_day=to_day)
    orgs = fleet.world.orgs
    for slot in range(fleet.universe(max(from_day, to_day))):
        m = fleet.machine(slot)
        if m.ninja_count == 0:
            continue
        start = fleet.day_state(m, from_day)
        end = fleet.day_state(m, to_day)
        in_start = start is not None and start.ninja_present
        in_end = end is not None and end.ninja_present
        for record in range(m.ninja_count):
            device_id = fleet.ninja_id(slot, record)
            if in_end and not in_start:
                result.added.append(device_id)
            elif in_start and not in_end:
                result.removed.append(device_id)
            elif in_start and in_end:
                assert start is not None and end is not None
                if start.org != end.org:
                    result.org_changed.append(
                        {
                            "id": device_id,
                            "from_organization": orgs[start.org].name,
                            "to_organization": orgs[end.org].name,
                        }
                    )
                elif start.spare != end.spare:
                    result.billing_changed.append(
                        {
                            "id": device_id,
                            "from_billing_status": "spare" if start.spare else "billable",
                            "to_billing_status": "spare" if end.spare else "billable",
                        }
                    )
    return result
