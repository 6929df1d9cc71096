"""Windows 11 24H2 requirement checks and device verdicts, at their boundaries."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from assessment.readiness.rules import (
    ALREADY_INSTALLED_REQUIREMENT,
    CHECKS,
    REQUIREMENTS,
    Assessment,
    DeviceHardware,
    RequirementResult,
    Status,
    Verdict,
    assess,
    check_memory,
    check_os_architecture,
    check_processor,
    check_processor_cores_speed,
    check_secure_boot,
    check_storage,
    check_tpm,
    installed_release,
    parse_flag,
    parse_os_build,
)

GiB = 1024**3

READY = DeviceHardware(
    node_class="WINDOWS_WORKSTATION",
    os_name="Windows 10 Pro",
    os_build=19045,
    os_release_id="22H2",
    os_architecture="64-bit",
    ram_bytes=8 * GiB,
    system_volume_bytes=237 * GiB,
    cpu_name="Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz",
    cpu_cores=4,
    cpu_logical_cores=8,
    cpu_max_clock_mhz=1800,
    has_tpm=True,
    tpm_enabled=True,
    tpm_version="2.0, 0, 1.38",
    secure_boot_available=True,
    secure_boot_enabled=True,
    system_manufacturer="Dell Inc.",
    system_model="Latitude 7490",
)


def device(**changes: Any) -> DeviceHardware:
    return dataclasses.replace(READY, **changes)


def by_key(assessment: Assessment) -> dict[str, RequirementResult]:
    return {r.key: r for r in assessment.requirements}


# --- requirement names ---------------------------------------------------------------------------


def test_requirement_keys_and_labels_are_stable_and_unique() -> None:
    assert [(r.key, r.label) for r in REQUIREMENTS] == [
        ("processor", "Processor"),
        ("processor_cores_speed", "Processor cores/speed"),
        ("memory", "Memory (RAM)"),
        ("storage", "Storage"),
        ("tpm", "TPM 2.0"),
        ("secure_boot", "Secure Boot"),
        ("os_64bit", "64-bit OS"),
    ]


def test_assess_reports_every_requirement_in_order() -> None:
    result = assess(READY)
    assert [r.key for r in result.requirements] == [r.key for r in REQUIREMENTS]
    assert [check(READY).key for check in CHECKS] == [r.key for r in REQUIREMENTS]


def test_alike_devices_share_one_assessment_and_different_ones_do_not() -> None:
    twin = device(ram_bytes=8 * GiB + 4096)  # same displayed size, same outcome
    assert assess(twin) is assess(READY)
    assert assess(device(tpm_enabled=False)) is not assess(device(secure_boot_enabled=False))
    assert assess(device(tpm_enabled=False)).reason == "compatible after a firmware change: TPM 2.0"


# --- 64-bit OS ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arch", "status"),
    [
        ("64-bit", Status.PASSED),
        ("ARM 64-bit Processor", Status.PASSED),
        ("32-bit", Status.FAILED),
        (None, Status.INSUFFICIENT_DATA),
        ("", Status.INSUFFICIENT_DATA),
        ("Itanium", Status.INSUFFICIENT_DATA),
    ],
)
def test_os_architecture(arch: str | None, status: Status) -> None:
    result = check_os_architecture(device(os_architecture=arch))
    assert result.status is status
    assert result.fixable is False


# --- memory -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ram", "status"),
    [
        (16 * GiB, Status.PASSED),
        (4 * GiB, Status.PASSED),  # exactly 4 GB
        (4_000_000_000, Status.PASSED),  # "4 GB" in decimal
        (int(3.86 * GiB), Status.PASSED),  # 4 GB installed, usable after firmware/graphics reservations
        (int(3.5 * GiB), Status.PASSED),  # the tolerance's edge
        (int(3.5 * GiB) - 1, Status.FAILED),
        (3 * GiB, Status.FAILED),
        (2 * GiB, Status.FAILED),
        (None, Status.INSUFFICIENT_DATA),
        (0, Status.INSUFFICIENT_DATA),  # Ninja's "not reported"
    ],
)
def test_memory(ram: int | None, status: Status) -> None:
    result = check_memory(device(ram_bytes=ram))
    assert result.status is status
    assert result.fixable is False


def test_memory_shows_the_size_like_windows() -> None:
    result = check_memory(device(ram_bytes=2 * GiB))
    assert result.current_value == "2.0 GB"
    assert result.required_value == "4 GB or more"
    assert result.remediation


# --- storage ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "status"),
    [
        (476 * GiB, Status.PASSED),
        (64_000_000_000, Status.PASSED),  # a whole 64 GB disk
        (int(58.3 * GiB), Status.PASSED),  # C: of a 64 GB disk after EFI/MSR/recovery partitions
        (50 * GiB, Status.PASSED),  # the tolerance's edge
        (50 * GiB - 1, Status.FAILED),
        (int(28.7 * GiB), Status.FAILED),  # C: of a 32 GB eMMC
        (None, Status.INSUFFICIENT_DATA),
        (0, Status.INSUFFICIENT_DATA),
    ],
)
def test_storage(size: int | None, status: Status) -> None:
    result = check_storage(device(system_volume_bytes=size))
    assert result.status is status
    assert result.fixable is False


# --- TPM --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("has_tpm", "enabled", "version", "status", "fixable"),
    [
        (True, True, "2.0", Status.PASSED, False),
        (True, True, "2.0, 0, 1.38", Status.PASSED, False),
        (None, True, "2.0", Status.PASSED, False),  # a reported version implies presence
        (True, False, "2.0", Status.FAILED, True),  # present but disabled: enable in firmware
        (True, False, None, Status.FAILED, True),  # disabled TPMs often report no version
        (True, True, "1.2", Status.FAILED, False),
        (True, False, "1.2, 2, 3", Status.FAILED, False),  # enabling a 1.2 TPM does not help
        (False, None, None, Status.FAILED, False),
        (True, True, None, Status.INSUFFICIENT_DATA, False),
        (True, None, "2.0", Status.INSUFFICIENT_DATA, False),
        (None, None, None, Status.INSUFFICIENT_DATA, False),
        (None, None, "", Status.INSUFFICIENT_DATA, False),
    ],
)
def test_tpm(has_tpm: bool | None, enabled: bool | None, version: str | None, status: Status, fixable: bool) -> None:
    result = check_tpm(device(has_tpm=has_tpm, tpm_enabled=enabled, tpm_version=version))
    assert result.status is status
    assert result.fixable is fixable


def test_disabled_tpm_remediation_says_enable_it_in_firmware() -> None:
    result = check_tpm(device(tpm_enabled=False))
    assert result.remediation is not None
    assert "Enable the TPM" in result.remediation
    assert "UEFI/BIOS" in result.remediation


# --- Secure Boot ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("available", "enabled", "status", "fixable"),
    [
        (True, True, Status.PASSED, False),
        (None, True, Status.PASSED, False),
        (True, False, Status.FAILED, True),  # capable but off: fixable, not incompatible
        (False, False, Status.FAILED, False),  # not capable: incompatible
        (False, None, Status.FAILED, False),
        (True, None, Status.INSUFFICIENT_DATA, False),
        (None, False, Status.INSUFFICIENT_DATA, False),  # off, capability unknown
        (None, None, Status.INSUFFICIENT_DATA, False),
    ],
)
def test_secure_boot(available: bool | None, enabled: bool | None, status: Status, fixable: bool) -> None:
    result = check_secure_boot(device(secure_boot_available=available, secure_boot_enabled=enabled))
    assert result.status is status
    assert result.fixable is fixable


# --- processor --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cpu", "status"),
    [
        ("Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz", Status.PASSED),
        ("AMD Ryzen 5 3600 6-Core Processor", Status.PASSED),
        ("Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz", Status.FAILED),
        ("Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz", Status.FAILED),
        ("Apple M1", Status.INSUFFICIENT_DATA),
        (None, Status.INSUFFICIENT_DATA),
        ("", Status.INSUFFICIENT_DATA),
    ],
)
def test_processor(cpu: str | None, status: Status) -> None:
    result = check_processor(device(cpu_name=cpu))
    assert result.status is status
    assert result.fixable is False


def test_processor_current_value_is_the_brand_string() -> None:
    result = check_processor(device(cpu_name="Intel(R) Core(TM) i7-7700 CPU    @ 3.60GHz"))
    assert result.current_value == "Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz"
    assert "7th generation" in result.reason


@pytest.mark.parametrize(
    ("system_model", "status"),
    [
        ("Surface Studio 2", Status.PASSED),
        ("Precision 5520", Status.FAILED),
        (None, Status.INSUFFICIENT_DATA),
    ],
)
def test_processor_listed_only_for_one_system(system_model: str | None, status: Status) -> None:
    hw = device(cpu_name="Intel(R) Core(TM) i7-7820HQ CPU @ 2.90GHz", system_model=system_model)
    assert check_processor(hw).status is status


# --- processor cores and speed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logical", "cores", "clock", "cpu", "status"),
    [
        (8, 4, 1800, READY.cpu_name, Status.PASSED),
        (2, 2, 1000, "Apple M1", Status.PASSED),  # exactly 2 cores and 1 GHz
        (1, 1, 3000, "Apple M1", Status.FAILED),
        (2, 2, 999, "Apple M1", Status.FAILED),  # below 1 GHz, processor not on the list
        (2, 2, 999, "Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz", Status.FAILED),
        # Microsoft lists low-power parts whose base clock is below 1 GHz.
        (8, 4, 700, "Intel(R) Core(TM) i5-1030G4 CPU @ 0.70GHz", Status.PASSED),
        (None, 4, 1800, READY.cpu_name, Status.PASSED),  # logical missing: physical cores count
        (None, None, 1800, READY.cpu_name, Status.INSUFFICIENT_DATA),
        # No clock reported: the brand string's "@ 1.60GHz" is the same base clock.
        (8, 4, None, READY.cpu_name, Status.PASSED),
        (8, 4, None, "Intel(R) Core(TM) Ultra 7 155H", Status.INSUFFICIENT_DATA),
        (1, 1, None, "Intel(R) Core(TM) Ultra 7 155H", Status.FAILED),  # one core fails regardless
        (8, 4, 1_800_000_000, READY.cpu_name, Status.PASSED),  # Hz, not MHz
    ],
)
def test_processor_cores_speed(
    logical: int | None, cores: int | None, clock: float | None, cpu: str | None, status: Status
) -> None:
    hw = device(cpu_logical_cores=logical, cpu_cores=cores, cpu_max_clock_mhz=clock, cpu_name=cpu)
    result = check_processor_cores_speed(hw)
    assert result.status is status, result.reason
    assert result.fixable is False


def test_processor_cores_speed_current_value() -> None:
    assert check_processor_cores_speed(READY).current_value == "8 logical cores, 1.80 GHz"


# --- verdicts ---------------------------------------------------------------------------------------


def test_ready_device_is_compatible() -> None:
    result = assess(READY)
    assert result.verdict is Verdict.COMPATIBLE
    assert result.already_installed is False
    assert all(r.status is Status.PASSED for r in result.requirements)
    assert result.deficiencies == ()


@pytest.mark.parametrize("cpu", ["Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz", "AMD Ryzen 5 3600 6-Core Processor"])
def test_devices_the_replaced_system_failed_are_compatible(cpu: str) -> None:
    assert assess(device(cpu_name=cpu)).verdict is Verdict.COMPATIBLE


def test_tpm_disabled_is_compatible_after_fix_with_the_fix_as_remediation() -> None:
    result = assess(device(tpm_enabled=False))
    assert result.verdict is Verdict.COMPATIBLE_AFTER_FIX
    tpm = by_key(result)["tpm"]
    assert tpm.status is Status.FAILED
    assert tpm.fixable is True
    assert tpm.remediation is not None and "Enable the TPM" in tpm.remediation
    assert "TPM 2.0" in result.reason


def test_secure_boot_off_is_compatible_after_fix() -> None:
    result = assess(device(secure_boot_enabled=False))
    assert result.verdict is Verdict.COMPATIBLE_AFTER_FIX
    secure_boot = by_key(result)["secure_boot"]
    assert secure_boot.fixable is True
    assert secure_boot.remediation is not None and "Enable Secure Boot" in secure_boot.remediation


def test_tpm_and_secure_boot_off_together_are_compatible_after_fix() -> None:
    result = assess(device(tpm_enabled=False, secure_boot_enabled=False))
    assert result.verdict is Verdict.COMPATIBLE_AFTER_FIX
    assert result.reason == "compatible after a firmware change: TPM 2.0, Secure Boot"


def test_secure_boot_not_capable_is_incompatible() -> None:
    result = assess(device(secure_boot_available=False, secure_boot_enabled=False))
    assert result.verdict is Verdict.INCOMPATIBLE
    assert result.reason == "fails: Secure Boot"


def test_any_unfixable_failure_is_incompatible_even_with_fixable_ones() -> None:
    result = assess(device(cpu_name="Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz", tpm_enabled=False))
    assert result.verdict is Verdict.INCOMPATIBLE
    assert result.reason == "fails: Processor"


def test_unfixable_failure_beats_missing_data() -> None:
    result = assess(device(ram_bytes=2 * GiB, has_tpm=None, tpm_enabled=None, tpm_version=None))
    assert result.verdict is Verdict.INCOMPATIBLE


def test_missing_tpm_data_is_insufficient_data_not_compatible() -> None:
    result = assess(device(has_tpm=None, tpm_enabled=None, tpm_version=None))
    assert result.verdict is Verdict.NOT_ASSESSED
    assert result.reason == "insufficient data: TPM 2.0"
    assert by_key(result)["tpm"].status is Status.INSUFFICIENT_DATA
    assert result.insufficient == (by_key(result)["tpm"],)


def test_missing_data_is_never_a_pass_even_with_a_fixable_failure() -> None:
    result = assess(device(secure_boot_enabled=False, ram_bytes=None))
    assert result.verdict is Verdict.NOT_ASSESSED
    assert result.reason == "insufficient data: Memory (RAM)"


def test_unknown_processor_is_insufficient_data() -> None:
    result = assess(device(cpu_name="Some Future CPU 9000"))
    assert result.verdict is Verdict.NOT_ASSESSED
    assert result.reason == "insufficient data: Processor"


def test_device_with_no_hardware_data_lists_everything_missing() -> None:
    result = assess(DeviceHardware(node_class="WINDOWS_WORKSTATION", os_name="Windows 10 Pro"))
    assert result.verdict is Verdict.NOT_ASSESSED
    assert all(r.status is Status.INSUFFICIENT_DATA for r in result.requirements)
    assert result.reason.startswith("insufficient data: Processor, Processor cores/speed, Memory (RAM)")


def test_every_deficiency_carries_a_remediation_missing_data_included() -> None:
    """The spec: deficiencies come "with remediation suggestions" — an undecidable requirement too."""
    result = assess(DeviceHardware(node_class="WINDOWS_WORKSTATION", os_name="Windows 10 Pro"))
    remediations = {r.key: r.remediation for r in result.deficiencies}
    assert set(remediations) == {requirement.key for requirement in REQUIREMENTS}
    assert remediations["tpm"] == (
        "Make sure NinjaOne reports this device's TPM presence, state and version (the custom fields named in "
        "NINJA_TPM_FIELDS), or check tpm.msc on the device; then re-run the assessment"
    )
    assert remediations["memory"] == (
        "Make sure the NinjaOne agent on this device is online and reports its memory size, then re-run the assessment"
    )
    assert all(remediations.values())
    # A requirement that fails or lacks data for a specific reason keeps its own suggestion.
    unknown_cpu = by_key(assess(device(cpu_name="Intel(R) Core(TM) i7-7820HQ CPU @ 2.90GHz", system_model=None)))
    assert unknown_cpu["processor"].status is Status.INSUFFICIENT_DATA
    assert unknown_cpu["processor"].remediation == (
        "Make sure NinjaOne reports this device's system model (this processor is supported only in "
        "Surface Studio 2), then re-run the assessment"
    )
    assert by_key(assess(device(ram_bytes=2 * GiB)))["memory"].remediation == (
        "Upgrade the memory to 4 GB or more, or replace the device"
    )


# --- scope ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node_class", "os_name", "reason_part"),
    [
        ("WINDOWS_SERVER", "Windows Server 2022 Standard", "servers are not assessed"),
        (None, "Windows Server 2019 Datacenter", "server operating system"),
        ("WINDOWS_WORKSTATION", "Windows Server 2016 Standard", "server operating system"),
        ("MAC", "macOS 14.5", "not a Windows workstation"),
        ("LINUX_WORKSTATION", "Ubuntu 22.04", "not a Windows workstation"),
        (None, "Ubuntu 22.04", "not a Windows operating system"),
        ("VMWARE_VM_GUEST", "Windows 10 Pro", "virtual machine guest"),
        ("HYPERV_VMM_GUEST", "Windows 11 Pro", "virtual machine guest"),
        (None, None, "neither node class nor operating system"),
    ],
)
def test_out_of_scope_devices_are_not_assessed(node_class: str | None, os_name: str | None, reason_part: str) -> None:
    result = assess(device(node_class=node_class, os_name=os_name))
    assert result.verdict is Verdict.NOT_ASSESSED
    assert reason_part in result.reason
    assert result.requirements == ()


def test_windows_workstation_without_os_name_is_still_assessed() -> None:
    assert assess(device(os_name=None)).verdict is Verdict.COMPATIBLE


# --- already on 24H2 or newer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("os_name", "build", "release_id", "expected"),
    [
        ("Windows 11 Pro", 26100, "24H2", "24H2"),
        ("Windows 11 Pro", None, "24H2", "24H2"),
        ("Windows 11 Pro", 26100, None, "24H2"),
        ("Windows 10 Pro", 26100, None, "24H2"),  # the build decides when the name lags behind
        ("Windows 11 Pro", 26200, "25H2", "25H2"),
        ("Windows 11 Pro", 26200, None, "25H2"),
        ("Windows 11 Pro", None, "25H2", "25H2"),
        ("Windows 11 Pro", 27000, None, "build 27000"),
        ("Windows 11 Pro", 22631, "23H2", None),
        ("Windows 11 Pro", 22000, "21H2", None),
        ("Windows 10 Pro", 19045, "22H2", None),
        ("Windows 10 Pro", None, None, None),
    ],
)
def test_installed_release(os_name: str, build: int | None, release_id: str | None, expected: str | None) -> None:
    assert installed_release(device(os_name=os_name, os_build=build, os_release_id=release_id)) == expected


def test_24h2_is_compatible_already_installed() -> None:
    result = assess(device(os_name="Windows 11 Pro", os_build=26100, os_release_id="24H2"))
    assert result.verdict is Verdict.COMPATIBLE
    assert result.already_installed is True
    assert result.installed_release == "24H2"
    assert result.reason == "Windows 11 24H2 already installed"
    assert ALREADY_INSTALLED_REQUIREMENT == "Windows 11 24H2 Already Installed"


def test_build_26100_alone_is_already_installed() -> None:
    result = assess(device(os_name="Windows 11 Enterprise", os_build=26100, os_release_id=None))
    assert (result.verdict, result.already_installed) == (Verdict.COMPATIBLE, True)


def test_25h2_is_compatible_and_already_past_24h2() -> None:
    result = assess(device(os_name="Windows 11 Pro", os_build=26200, os_release_id="25H2"))
    assert result.verdict is Verdict.COMPATIBLE
    assert result.already_installed is True
    assert "already on 25H2" in result.reason


def test_already_installed_wins_over_failing_hardware_but_still_reports_it() -> None:
    result = assess(
        device(
            os_name="Windows 11 Pro",
            os_build=26100,
            os_release_id="24H2",
            cpu_name="Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz",
        )
    )
    assert (result.verdict, result.already_installed) == (Verdict.COMPATIBLE, True)
    assert by_key(result)["processor"].status is Status.FAILED


def test_23h2_is_not_already_installed() -> None:
    result = assess(device(os_name="Windows 11 Pro", os_build=22631, os_release_id="23H2"))
    assert (result.verdict, result.already_installed) == (Verdict.COMPATIBLE, False)


# --- response shape and value objects -----------------------------------------------------------------


def test_to_response_uses_the_spec_shape() -> None:
    tpm = by_key(assess(device(tpm_enabled=False)))["tpm"]
    assert tpm.to_response() == {
        "requirement": "TPM 2.0",
        "status": "FAIL",
        "current_value": "TPM 2.0, disabled",
        "required": "TPM version 2.0, present and enabled",
        "reason": "TPM 2.0 is present but disabled",
        "remediation": tpm.remediation,
    }
    assert check_memory(READY).to_response()["status"] == "PASS"
    assert check_memory(device(ram_bytes=None)).to_response()["status"] == "ERROR"


def test_statuses_and_verdicts_are_plain_strings() -> None:
    assert {s.value for s in Status} == {"passed", "failed", "insufficient_data"}
    assert {v.value for v in Verdict} == {
        "compatible",
        "compatible_after_fix",
        "incompatible",
        "not_assessed",
    }
    assert assess(READY).verdict == "compatible"


def test_results_are_immutable() -> None:
    result = assess(READY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = Verdict.INCOMPATIBLE  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.requirements[0].status = Status.FAILED  # type: ignore[misc]


# --- input helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        (" false ", False),
        (True, True),
        (False, False),
        ("", None),
        (None, None),
        ("maybe", None),
    ],
)
def test_parse_flag(value: object, expected: bool | None) -> None:
    assert parse_flag(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (22631, 22631),
        ("26100", 26100),
        ("22631.4317", 22631),
        ("10.0.22631.4317", 22631),
        ("10.0.19045", 19045),
        ("", None),
        (None, None),
        ("unknown", None),
    ],
)
def test_parse_os_build(value: object, expected: int | None) -> None:
    assert parse_os_build(value) == expected


# --- garbage input never stops an assessment ------------------------------------------------------------


@pytest.mark.parametrize(
    "cpu",
    [
        "Intel(R) Atom(TM) CPU @ " + "9" * 400 + " GHz",  # overflows a float: once an OverflowError
        "AMD Ryzen 5 3600 @ " + "1" * 320 + ".5MHz",
        "@ 1e999 GHz",
    ],
)
def test_absurd_clock_in_the_brand_string_is_no_clock(cpu: str) -> None:
    result = assess(device(cpu_name=cpu, cpu_max_clock_mhz=None))
    speed = by_key(result)["processor_cores_speed"]
    assert speed.status is Status.INSUFFICIENT_DATA and "clock speed not reported" in speed.reason
    assert result.verdict in (Verdict.NOT_ASSESSED, Verdict.INCOMPATIBLE)


@pytest.mark.parametrize("clock", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_clock_is_not_reported_rather_than_passed(clock: float) -> None:
    hw = device(cpu_max_clock_mhz=clock, cpu_name="Intel(R) Core(TM) Ultra 7 155H")
    result = check_processor_cores_speed(hw)
    assert result.status is Status.INSUFFICIENT_DATA, result
    assert result.current_value == "8 logical cores, clock not reported"
