"""The simulated MSP's organisations and locations, generated once per (seed, size).

Organisations are few (≈ devices/40), so they are kept in memory; devices are not (see fleet.py).
Organisation 0 is the MSP itself: the Ninja "internal" organisation and the ThreatLocker parent
organisation, home of the spare-exempt location(s).
"""

from __future__ import annotations

import bisect
import hashlib
import random
import uuid
from dataclasses import dataclass, field

from vendor_sim import catalog
from vendor_sim.config import SimConfig


def stable_int(*parts: object) -> int:
    """A 64-bit integer that depends only on `parts` (Python's hash() is salted per process)."""
    text = ":".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def stable_rng(*parts: object) -> random.Random:
    return random.Random(stable_int(*parts))


def stable_guid(*parts: object) -> str:
    text = ":".join(str(p) for p in parts).encode()
    return str(uuid.UUID(bytes=hashlib.blake2b(text, digest_size=16).digest(), version=4))


@dataclass(frozen=True, slots=True)
class Location:
    id: int
    name: str
    org_index: int
    address: str
    description: str
    spare: bool
    """"spare" (any case) in the name: every device here is a spare."""
    exempt: bool
    """Listed in SimConfig.spare_exempt_locations: spares here may keep ThreatLocker."""


@dataclass(slots=True)
class Org:
    index: int
    ninja_id: int
    name: str
    tl_name: str
    tl_id: str
    code: str
    """Upper-case letters that prefix this organisation's hostnames."""
    internal: bool
    created: float
    locations: list[Location] = field(default_factory=list)
    # Derived from `locations` by World once they are all added (hot path: read per device).
    normal_locations: list[Location] = field(default_factory=list)
    spare_location: Location | None = None
    exempt_location: Location | None = None

    @property
    def aliased(self) -> bool:
        return self.name != self.tl_name


_ALIAS_RULES = (
    (" Corp", " Corporation"),
    (" Inc", ", Inc."),
    (" LLC", ", LLC"),
    (" Co", " Company"),
    (" Group", " Grp"),
    (" PC", ", P.C."),
    (" Partners", " Partners LLC"),
)


def _alias_of(name: str) -> str:
    for plain, vendor in _ALIAS_RULES:
        if name.endswith(plain):
            return name[: -len(plain)] + vendor
    return "The " + name


def _org_code(name: str) -> str:
    words = [w for w in name.replace(",", " ").split() if w[0].isalpha()]
    if len(words) >= 3:
        code = "".join(w[0] for w in words[:4])
    else:
        code = words[0][:3] + (words[1][0] if len(words) > 1 else "")
    return "".join(c for c in code.upper() if "A" <= c <= "Z")[:4] or "ORG"


class World:
    """Organisations, locations and the weights that spread devices over client organisations."""

    def __init__(self, config: SimConfig, base_epoch: float) -> None:
        rng = stable_rng(config.seed, "world")
        client_count = max(3, round(config.devices / 40))
        names = self._client_names(rng, client_count, reserved={config.internal_org_name})
        alias_count = max(1, round(client_count * 0.06))
        aliased = set(rng.sample(range(client_count), alias_count))

        taken = {config.internal_org_name, *names}
        self.orgs: list[Org] = [
            Org(
                index=0,
                ninja_id=1,
                name=config.internal_org_name,
                tl_name=config.internal_org_name,
                tl_id=config.tl_parent_org_id,
                code=_org_code(config.internal_org_name),
                internal=True,
                created=base_epoch - 4 * 365 * 86400,
            )
        ]
        for i, name in enumerate(names):
            tl_name = name
            if i in aliased:
                tl_name = _alias_of(name)
                while tl_name in taken:
                    tl_name = tl_name + " (TL)"
                taken.add(tl_name)
            self.orgs.append(
                Org(
                    index=i + 1,
                    ninja_id=i + 2,
                    name=name,
                    tl_name=tl_name,
                    tl_id=stable_guid(config.seed, "tl-org", i + 1),
                    code=_org_code(name),
                    internal=False,
                    created=base_epoch - rng.randrange(30, 4 * 365) * 86400 + rng.random(),
                )
            )

        self.locations: list[Location] = []
        self._add_locations(rng, config)
        for org in self.orgs:
            org.normal_locations = [loc for loc in org.locations if not loc.spare and not loc.exempt]
            org.spare_location = next((loc for loc in org.locations if loc.spare and not loc.exempt), None)
            org.exempt_location = next((loc for loc in org.locations if loc.exempt), None)
        self.location_by_id = {loc.id: loc for loc in self.locations}
        self.org_by_ninja_id = {org.ninja_id: org for org in self.orgs}
        self.org_by_tl_id = {org.tl_id.lower(): org for org in self.orgs}

        # Zipf-like spread: a few large clients, many small ones.
        weights = [rng.lognormvariate(0.0, 0.9) for _ in range(client_count)]
        total = sum(weights)
        self._client_cumulative: list[float] = []
        running = 0.0
        for w in weights:
            running += w / total
            self._client_cumulative.append(running)
        self.aliased_indices = sorted(i + 1 for i in aliased)
        self.spare_location_org_indices = [o.index for o in self.orgs[1:] if o.spare_location is not None]

    @staticmethod
    def _client_names(rng: random.Random, count: int, reserved: set[str]) -> list[str]:
        names: list[str] = []
        seen = set(reserved)
        attempts = 0
        while len(names) < count:
            attempts += 1
            name = (
                f"{rng.choice(catalog.ORG_PREFIXES)} {rng.choice(catalog.ORG_INDUSTRIES)}"
                f"{rng.choice(catalog.ORG_SUFFIXES)}"
            )
            if attempts > 20 * count:
                # The word lists hold ~20k distinct names; beyond that number them.
                name = f"{name} {len(names) + 1}"
            if name in seen:
                continue
            seen.add(name)
            names.append(name)
        return names

    def _add_locations(self, rng: random.Random, config: SimConfig) -> None:
        exempt_lower = {name.lower() for name in config.spare_exempt_locations}
        next_id = 1

        def add(org: Org, name: str, *, exempt: bool = False) -> None:
            nonlocal next_id
            city = rng.choice(catalog.CITIES)
            location = Location(
                id=next_id,
                name=name,
                org_index=org.index,
                address=f"{rng.randrange(100, 9999)} {rng.choice(catalog.LAST_NAMES)} St, {city}, TX",
                description="",
                spare="spare" in name.lower(),
                exempt=exempt,
            )
            next_id += 1
            org.locations.append(location)
            self.locations.append(location)

        internal = self.orgs[0]
        add(internal, "Office")
        for name in config.spare_exempt_locations:
            add(internal, name, exempt=True)
        add(internal, "Lab")

        for org in self.orgs[1:]:
            count = rng.choices((1, 2, 3, 4), weights=(40, 30, 20, 10))[0]
            candidates = [*catalog.LOCATION_NAMES, *(f"Branch - {c}" for c in catalog.CITIES)]
            chosen = rng.sample(candidates, count)
            for name in chosen:
                add(org, name)
            # Organisation 1 always has a spare shelf so small fleets can plant location spares.
            if org.index == 1 or rng.random() < 0.3:
                names = [n for n in catalog.SPARE_LOCATION_NAMES if n.lower() not in exempt_lower]
                add(org, rng.choice(names or ["Client Spare Shelf"]))

    def pick_client(self, u: float) -> Org:
        """Client organisation for a uniform draw `u` in [0, 1), weighted by organisation size."""
        i = bisect.bisect_right(self._client_cumulative, u)
        return self.orgs[1 + min(i, len(self.orgs) - 2)]

    def tl_alias_pairs(self) -> list[dict[str, str]]:
        return [{"ninja": org.name, "threatlocker": org.tl_name} for org in self.orgs if org.name != org.tl_name]
