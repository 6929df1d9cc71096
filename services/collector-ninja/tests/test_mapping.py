"""Mapping a NinjaOne device to a snapshot row (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from collector_ninja.mapping import clock_mhz, device_type, map_device, parse_bool, system_volume_bytes
from collector_ninja.models import snapshot_devices

COLUMNS = [column.name for column in snapshot_devices.columns]
TPM_FIELDS = ["hastpm", "tpmenabled", "tpmversion", "securebootavailable", "securebootenabled"]
GIB = 1024**3


def row(raw: dict, **kwargs) -> dict:
    values = map_device(
        raw,
        snapshot_date=date(2026, 11, 23),
        organizations=kwargs.get("organizations", {7: "Acme Corp"}),
        locations=kwargs.get("locations", {70: "Main Office", 71: "Spare Shelf"}),
        custom_fields=kwargs.get("custom_fields"),
        tpm_fields=TPM_FIELDS,
    )
    assert len(values) == len(COLUMNS)
    return dict(zip(COLUMNS, values, strict=True))


WORKSTATION = {
    "id": 1001,
    "uid": "abc",
    "organizationId": 7,
    "locationId": 70,
    "nodeClass": "WINDOWS_WORKSTATION",
    "displayName": "ACME-LT-0042 | Dana",
    "systemName": "ACME-LONGHOSTNAM",
    "dnsName": "ACME-LongHostname01.acme.local",
    "lastContact": 1763900000.5,
    "created": 1700000000.0,
    "os": {"name": "Windows 11 Pro", "buildNumber": "22631", "releaseId": "23H2", "architecture": "64-bit"},
    "system": {"manufacturer": "Dell Inc.", "model": "Latitude 5440", "serialNumber": "SN1"},
    "memory": {"capacity": 16 * GIB},
    "processors": [
        {
            "name": "Intel(R) Core(TM) i7-1365U",
            "maxClockSpeed": 1_800_000_000,
            "numCores": 10,
            "numLogicalCores": 12,
        }
    ],
    "volumes": [
        {"name": "D:", "capacity": 1000 * GIB},
        {"name": "C:", "driveLetter": "C:", "capacity": 256 * GIB},
    ],
}


def test_workstation_row() -> None:
    mapped = row(
        WORKSTATION,
        custom_fields={
            "hastpm": "true",
            "tpmenabled": "false",
            "tpmversion": "2.0, 0, 1.38",
            "securebootavailable": "true",
            "securebootenabled": "",
        },
    )
    assert mapped["hostname"] == "ACME-LongHostname01"  # dnsName's host part beats the NetBIOS name
    assert mapped["match_key"] == "acme-longhostname01"
    assert mapped["system_name"] == "ACME-LONGHOSTNAM"
    assert mapped["organization_name"] == "Acme Corp"
    assert mapped["location_name"] == "Main Office"
    assert (mapped["device_type"], mapped["is_spare"], mapped["is_billable"]) == ("workstation", False, True)
    assert (mapped["os_build"], mapped["os_release_id"]) == (22631, "23H2")
    assert (mapped["cpu_max_clock_mhz"], mapped["cpu_cores"], mapped["cpu_logical_cores"]) == (1800, 10, 12)
    assert mapped["ram_bytes"] == 16 * GIB
    assert mapped["system_volume_bytes"] == 256 * GIB
    assert (mapped["has_tpm"], mapped["tpm_enabled"], mapped["tpm_version"]) == (True, False, "2.0, 0, 1.38")
    assert (mapped["secure_boot_available"], mapped["secure_boot_enabled"]) == (True, None)
    assert mapped["last_contact"] == datetime.fromtimestamp(1763900000.5, UTC)


def test_spare_by_display_name_or_location_is_not_billable() -> None:
    by_name = row({**WORKSTATION, "displayName": "ACME-LT-0042 | SPARE - was Dana"})
    by_location = row({**WORKSTATION, "locationId": 71})
    assert by_name["is_spare"] and not by_name["is_billable"]
    assert by_location["is_spare"] and not by_location["is_billable"]


def test_vm_guest_and_missing_dns_name() -> None:
    guest = row({"id": 5, "nodeClass": "HYPERV_VMM_GUEST", "systemName": "SQL01", "organizationId": 7})
    assert (guest["device_type"], guest["is_billable"], guest["hostname"]) == ("vm_guest", False, "SQL01")
    assert guest["ram_bytes"] is None and guest["has_tpm"] is None


def test_helpers() -> None:
    assert [device_type(c) for c in ("WINDOWS_SERVER", "VMWARE_VM_HOST", "NMS_SWITCH", "MAC", None)] == [
        "server",
        "vm_host",
        "network",
        "workstation",
        "other",
    ]
    assert [parse_bool(v) for v in ("true", "False", "", None, True, "maybe")] == [
        True,
        False,
        None,
        None,
        True,
        None,
    ]
    assert clock_mhz(2_400_000_000) == 2400 and clock_mhz(2400) == 2400 and clock_mhz(None) is None
    assert system_volume_bytes([{"name": "E:", "capacity": 5}, {"name": "F:", "capacity": 9}]) == 9
    assert system_volume_bytes(None) is None
