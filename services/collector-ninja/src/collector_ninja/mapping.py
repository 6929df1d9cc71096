"""From a NinjaOne ``devices-detailed`` row to one snapshot row (pure functions, no I/O).

Hostnames follow ``domain-rules.md``: the clean host part of ``dnsName`` when present, else the
NetBIOS ``systemName``. Spare = "spare" in the display name or the location name; VM guests and spares
are not billable. TPM and Secure Boot come from custom fields whose names are settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from hub_shared.hostnames import clean_hostname, ninja_hostname

DEVICE_TYPES = {
    "WINDOWS_WORKSTATION": "workstation",
    "MAC": "workstation",
    "LINUX_WORKSTATION": "workstation",
    "WINDOWS_SERVER": "server",
    "LINUX_SERVER": "server",
    "MAC_SERVER": "server",
    "VMWARE_VM_HOST": "vm_host",
    "HYPERV_VMM_HOST": "vm_host",
    "VMWARE_VM_GUEST": "vm_guest",
    "HYPERV_VMM_GUEST": "vm_guest",
}
BILLABLE_TYPES = frozenset({"workstation", "server", "vm_host"})


def device_type(node_class: str | None) -> str:
    if not node_class:
        return "other"
    if node_class.startswith("NMS_"):
        return "network"
    return DEVICE_TYPES.get(node_class, "other")


def is_spare(display_name: str | None, location_name: str | None) -> bool:
    return "spare" in (display_name or "").lower() or "spare" in (location_name or "").lower()


def epoch_to_datetime(value: Any) -> datetime | None:
    """Ninja sends epoch seconds as floats; some clients have seen ISO strings — accept both."""
    kind = type(value)
    if kind is float or kind is int:
        return datetime.fromtimestamp(value, UTC)
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_BOOLEAN_WORDS = {
    **dict.fromkeys(("true", "yes", "1", "enabled", "on"), True),
    **dict.fromkeys(("false", "no", "0", "disabled", "off"), False),
}


def parse_bool(value: Any) -> bool | None:
    """Custom-field booleans arrive as "true"/"false"/""/None (and sometimes real booleans or 1/0)."""
    if value is None or type(value) is bool:
        return value
    return _BOOLEAN_WORDS.get(str(value).strip().lower())


def parse_int(value: Any) -> int | None:
    if type(value) is int:
        return value
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def system_volume_bytes(volumes: Sequence[Mapping[str, Any]] | None) -> int | None:
    """Capacity of the C: volume (the Windows system drive), else of the largest local disk."""
    if not volumes:
        return None
    for volume in volumes:
        letter = str(volume.get("driveLetter") or volume.get("name") or "").upper()
        if letter.startswith("C:"):
            return parse_int(volume.get("capacity"))
    capacities = [parse_int(volume.get("capacity")) for volume in volumes]
    known = [capacity for capacity in capacities if capacity is not None]
    return max(known) if known else None


def map_device(
    raw: Mapping[str, Any],
    *,
    snapshot_date: date,
    organizations: Mapping[int, str | None],
    locations: Mapping[int, str | None],
    custom_fields: Mapping[str, Any] | None,
    tpm_fields: Sequence[str],
) -> tuple[Any, ...]:
    """One row in ``models.snapshot_devices`` column order."""
    os_info = raw.get("os") or {}
    system = raw.get("system") or {}
    processors = raw.get("processors") or []
    cpu = processors[0] if processors else {}
    references = raw.get("references") or {}
    organization_id = parse_int(raw.get("organizationId"))
    location_id = parse_int(raw.get("locationId"))
    organization_name = organizations.get(organization_id) if organization_id is not None else None
    organization_name = organization_name or (references.get("organization") or {}).get("name")
    location_name = locations.get(location_id) if location_id is not None else None
    location_name = location_name or (references.get("location") or {}).get("name")
    display_name = raw.get("displayName")
    hostname = ninja_hostname(raw.get("dnsName"), raw.get("systemName")) or clean_hostname(display_name)
    kind = device_type(raw.get("nodeClass"))
    spare = is_spare(display_name, location_name)
    fields = custom_fields or {}
    has_tpm, tpm_enabled, tpm_version, boot_available, boot_enabled = (fields.get(name) for name in tpm_fields)
    memory = (raw.get("memory") or {}).get("capacity") or system.get("totalPhysicalMemory")
    clock = cpu.get("maxClockSpeed") or cpu.get("clockSpeed")
    return (
        snapshot_date,
        int(raw["id"]),
        raw.get("uid"),
        organization_id,
        organization_name,
        location_id,
        location_name,
        raw.get("nodeClass"),
        kind,
        display_name,
        raw.get("systemName"),
        raw.get("dnsName"),
        hostname,
        hostname.lower(),
        spare,
        kind in BILLABLE_TYPES and not spare,
        raw.get("approvalStatus"),
        raw.get("offline"),
        os_info.get("name"),
        parse_int(os_info.get("buildNumber")),
        os_info.get("releaseId"),
        os_info.get("architecture"),
        system.get("manufacturer"),
        system.get("model"),
        system.get("serialNumber") or system.get("biosSerialNumber"),
        parse_bool(system.get("virtualMachine")),
        (cpu.get("name") or "").strip() or None,
        parse_int(cpu.get("numCores") or cpu.get("cores")),
        parse_int(cpu.get("numLogicalCores")),
        clock_mhz(clock),
        parse_int(memory),
        system_volume_bytes(raw.get("volumes")),
        parse_bool(has_tpm),
        parse_bool(tpm_enabled),
        (str(tpm_version).strip() or None) if tpm_version not in (None, "") else None,
        parse_bool(boot_available),
        parse_bool(boot_enabled),
        epoch_to_datetime(raw.get("lastContact")),
        epoch_to_datetime(raw.get("lastUpdate")),
        epoch_to_datetime(raw.get("created")),
    )


def clock_mhz(value: Any) -> int | None:
    """Ninja reports clock speed in Hz on some agents and MHz on others; store MHz."""
    number = parse_int(value)
    if number is None:
        return None
    return number // 1_000_000 if number > 100_000 else number
