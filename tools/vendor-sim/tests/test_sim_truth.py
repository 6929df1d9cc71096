"""Ground truth: determinism, and that the truth equals an independent reconciliation of what is served."""

from __future__ import annotations

from collections import Counter

import pytest

from vendor_sim import VARIANCE_TYPES, NinjaRow, TlRow, match_key, ninja_key, reconcile

VM_GUESTS = {"VMWARE_VM_GUEST", "HYPERV_VMM_GUEST"}


async def served_rows(c, *, include_guests: bool = True) -> tuple[list[NinjaRow], list[TlRow], list[dict]]:
    devices = await c.all_ninja_devices()
    ninja = [
        NinjaRow(
            ninja_key(d["systemName"], d.get("dnsName")),
            d["references"]["organization"]["name"],
            d["displayName"],
            d["references"]["location"]["name"],
            d["nodeClass"],
        )
        for d in devices
        if include_guests or d["nodeClass"] not in VM_GUESTS
    ]
    tl = [
        TlRow(match_key(r["hostname"]), r["organization"], r["computerName"], r["hostname"])
        for r in await c.all_tl_computers()
    ]
    return ninja, tl, devices


def test_match_key_rules():
    assert match_key("ACME-LT00042 | Jane Doe") == "acme-lt00042"
    assert match_key("  Acme-Lt00042.corp.local ") == "acme-lt00042"
    assert match_key("host.corp.local | note.with.dots") == "host"
    assert ninja_key("ACME-000012-REC", None) == "acme-000012-rec"
    assert ninja_key("ACME-000012-REC", "acme-000012-reception.corp.local") == "acme-000012-reception"


@pytest.mark.parametrize(("devices", "day"), [(50, 0), (50, 4), (300, 0), (2000, 0), (2000, 6)])
async def test_truth_equals_reconciliation_of_served_data(sim_factory, devices, day):
    async with sim_factory(devices=devices, day=day) as c:
        truth = c.sim.truth()
        ninja, tl, served = await served_rows(c)
        aliases = {pair["threatlocker"]: pair["ninja"] for pair in truth.organization_aliases}
        found = reconcile(ninja, tl, aliases, truth.spare_exempt_locations)
        for variance in VARIANCE_TYPES:
            assert found[variance] == truth.variances[variance], variance
            assert len(truth.variances[variance]) >= 2, variance

        # Leaving VM guests out of the reconciliation changes nothing (they are never in ThreatLocker).
        without_guests, _, _ = await served_rows(c, include_guests=False)
        assert reconcile(without_guests, tl, aliases, truth.spare_exempt_locations) == found

        # Without the settings a reconciliation over-reports exactly as the truth says.
        bare = reconcile(ninja, tl, {}, ())
        assert bare["SITE_MISMATCH"] == truth.variances_without_settings["SITE_MISMATCH"]
        assert bare["SPARE_MISMATCH"] == truth.variances_without_settings["SPARE_MISMATCH"]
        assert truth.variances["SITE_MISMATCH"] < bare["SITE_MISMATCH"]
        assert truth.variances["SPARE_MISMATCH"] < bare["SPARE_MISMATCH"]

        # Counts in the truth are counts of what is served.
        assert truth.ninja_device_count == len(served)
        assert truth.ninja_device_count_excluding_vm_guests == sum(d["nodeClass"] not in VM_GUESTS for d in served)
        assert truth.windows_workstations == sum(d["nodeClass"] == "WINDOWS_WORKSTATION" for d in served)
        assert truth.ninja_by_node_class == dict(Counter(d["nodeClass"] for d in served))
        assert truth.tl_computer_count == len(tl)
        billable = [
            n for n in ninja if n.node_class not in VM_GUESTS and "spare" not in (n.display_name + n.location).lower()
        ]
        assert truth.billable == len(billable)
        assert truth.spare == truth.ninja_device_count_excluding_vm_guests - truth.billable
        per_org = Counter(n.organization for n in billable)
        assert {o.name: o.billable for o in truth.organizations.values() if o.billable} == dict(per_org)


async def test_hard_negatives_are_present_and_not_reported(sim_factory):
    async with sim_factory(devices=50) as c:
        truth = c.sim.truth()
        assert truth.ninja_device_count == 50
        reported = set().union(*truth.variances.values())
        for name, keys in truth.hard_negatives.items():
            assert len(keys) >= 1, name
            assert not keys & reported, name
        assert len(truth.hard_negatives["netbios_truncated"]) >= 2

        devices = {d["id"]: d for d in await c.all_ninja_devices()}
        tl_keys = {match_key(r["hostname"]): r for r in await c.all_tl_computers()}
        for case in truth.netbios_truncated:
            device = devices[case["ninja_id"]]
            assert len(device["systemName"]) == 15
            assert "dnsName" not in device
            assert len(case["tl_key"]) > 15
            assert case["tl_key"][:15] == device["systemName"].lower() == case["ninja_key"]
            assert case["tl_key"] in tl_keys
        exempt = truth.hard_negatives["exempt_spare_in_threatlocker"]
        assert exempt <= truth.variances_without_settings["SPARE_MISMATCH"]
        aliased = truth.hard_negatives["aliased_organisation"]
        assert aliased <= truth.variances_without_settings["SITE_MISMATCH"]


async def test_same_seed_same_output_other_seed_differs(sim_factory):
    async def snapshot(seed):
        async with sim_factory(devices=300, seed=seed) as c:
            ninja = (await c.ninja("/v2/devices-detailed", pageSize=300)).json()
            tl = await c.all_tl_computers()
            return ninja, tl, c.sim.truth().to_json()

    first = await snapshot(11)
    again = await snapshot(11)
    other = await snapshot(12)
    assert first == again
    assert first[0] != other[0]
    assert first[1] != other[1]
    assert first[2]["variances"] != other[2]["variances"]


async def test_truth_route_and_plants_scale_with_size(sim_factory):
    async with sim_factory(devices=3000) as c:
        body = (await c.http.get("/_sim/truth")).json()
        assert body["ninja"]["device_count"] == 3000
        assert body["variance_counts"]["MISSING_NINJA"] >= 24
        assert body["variance_counts"]["DISPLAY_NAME_MISMATCH"] >= 24
        assert body["variance_counts"]["DUPLICATE_TL"] == 12 + 3  # matched duplicates + ones not in Ninja
        assert body["variance_counts"]["DUPLICATE_NINJA"] == 12
        assert len(body["organizations"]) == 1 + 75
        assert body["internal_organizations"] == ["Summit Tech Partners"]
        assert body["spare_exempt_locations"] == ["Shop Spares"]
        assert 2 <= len(body["organization_aliases"]) <= 10
        for pair in body["organization_aliases"]:
            assert pair["ninja"] != pair["threatlocker"]
        assert (await c.http.get("/_sim/truth", params={"day": "x"})).status_code == 400


def test_reconcile_rules_on_handmade_rows():
    ninja = [
        NinjaRow("nochi-002062482", "Acme Corp", "NOCHI-002062482753 | Front", "Main", "WINDOWS_WORKSTATION"),
        NinjaRow("acme-ws1", "Acme Corp", "ACME-WS1 | Jane", "Main", "WINDOWS_WORKSTATION"),
        NinjaRow("acme-ws2", "Acme Corp", "", "Main", "WINDOWS_WORKSTATION"),
        NinjaRow("acme-ws3", "Acme Corp", "ACME-WS3 | SPARE", "Main", "WINDOWS_WORKSTATION"),
        NinjaRow("shop-1", "MSP", "SHOP-1", "Shop Spares", "WINDOWS_WORKSTATION"),
        NinjaRow("dup", "Acme Corp", "DUP", "Main", "WINDOWS_WORKSTATION"),
        NinjaRow("dup", "Acme Corp", "DUP", "Main", "WINDOWS_WORKSTATION"),
        NinjaRow("acme-ws4", "Acme Corp", "ACME-WS4", "Main", "WINDOWS_WORKSTATION"),
    ]
    tl = [
        TlRow("nochi-002062482753", "Acme Corporation", "nochi-002062482753 | front ", "NOCHI-002062482753"),
        TlRow("acme-ws1", "Acme Corporation", "acme-ws1 | JANE", "acme-ws1.corp.local"),
        TlRow("acme-ws1", "Acme Corporation", "ACME-WS1 | Jane", "ACME-WS1"),
        TlRow("acme-ws2", "Acme Corporation", "ACME-WS2", "ACME-WS2"),
        TlRow("acme-ws3", "Acme Corporation", "ACME-WS3 | Bob", "ACME-WS3"),
        TlRow("shop-1", "MSP", "SHOP-1", "SHOP-1"),
        TlRow("acme-ws4", "Beta LLC", "ACME-WS4", "ACME-WS4"),
        TlRow("ghost-1-very-long-name", "Acme Corporation", "GHOST-1-VERY-LONG-NAME", "ghost-1-very-long-name"),
    ]
    found = reconcile(ninja, tl, {"Acme Corporation": "Acme Corp"}, ["shop spares"])
    assert found == {
        "MISSING_NINJA": {"ghost-1-very-long-name"},
        "DUPLICATE_TL": {"acme-ws1"},
        "DUPLICATE_NINJA": {"dup"},
        "SPARE_MISMATCH": {"acme-ws3"},
        "DISPLAY_NAME_MISMATCH": {"acme-ws3"},
        "SITE_MISMATCH": {"acme-ws4"},
    }
    bare = reconcile(ninja, tl, {}, [])
    assert bare["SPARE_MISMATCH"] == {"acme-ws3", "shop-1"}
    assert bare["SITE_MISMATCH"] == {"nochi-002062482", "acme-ws1", "acme-ws2", "acme-ws3", "acme-ws4"}
