"""Windows 11 24H2 readiness rules: one pure function per requirement, and the device verdict.

Input is a :class:`DeviceHardware` built from a Ninja snapshot row (every field may be missing); output is
an :class:`Assessment` holding a verdict, its reason and one :class:`RequirementResult` per requirement.
No I/O: the service layer reads snapshots, calls :func:`assess` and stores or serves the results.

Verdict precedence (the first that applies wins):

1. ``not_assessed`` — out of scope: a nodeClass other than ``WINDOWS_WORKSTATION`` (servers, Macs,
   Linux, VM guests), a server OS, a non-Windows OS, or neither nodeClass nor OS reported. No
   requirement is evaluated.
2. ``compatible`` with ``already_installed=True`` — Windows 11 on release 24H2 or newer (release id
   ``24H2``/``25H2``/…, or build 26100 and above). Requirements are still evaluated, for information
   (a device may run 24H2 on unsupported hardware); they do not change the verdict.
3. ``incompatible`` — at least one requirement failed and the failure cannot be fixed in firmware.
4. ``not_assessed`` with reason ``"insufficient data: <requirements>"`` — nothing failed for good, but
   at least one requirement lacks the data to decide. Missing data is never a pass, so such a device is
   neither ``compatible`` nor ``compatible_after_fix``; the requirement statuses show what is missing.
5. ``compatible_after_fix`` — every failure is a firmware setting: TPM 2.0 present but disabled, or
   Secure Boot capable but off.
6. ``compatible`` — every requirement passed.

Decisions where the domain rules are silent (tests pin each one):

- Memory: Ninja reports usable RAM, which is the installed RAM minus firmware and graphics reservations,
  so a 4 GB machine reports about 3.6–3.9 GiB. At least 3.5 GiB reported counts as 4 GB installed.
- Storage: the system volume (C:) is smaller than its disk (EFI, MSR and recovery partitions, and
  64 GB = 59.6 GiB). A C: volume of at least 50 GiB counts as a 64 GB drive; no disk size sits between
  32 GB (at most ~29 GiB usable) and 64 GB.
- Processor speed: Microsoft requires "1 GHz or faster", so exactly 1000 MHz passes. Ninja reports the
  base clock; low-power parts on Microsoft's supported list (i5-1030G4: 0.7 GHz base) pass anyway,
  since Microsoft lists them. A clock above 100,000 is taken to be in Hz and converted.
- TPM: present but disabled is a fixable failure even when the version is not reported, because a TPM
  hidden by firmware often reports no version; the remediation says to confirm 2.0 after enabling. A
  TPM 1.2 fails for good. No TPM at all fails for good (adding one is a hardware change), although the
  remediation points at firmware TPMs (Intel PTT, AMD fTPM) that may merely be switched off.
- Secure Boot: off with capability unknown is insufficient data, since the requirement is capability.
- Processor: an unrecognised model is insufficient data. A listed exception restricted to certain
  systems (i7-7820HQ: Surface Studio 2) needs ``system_model`` to pass.

Speed: a fleet has few distinct processors, sizes and firmware states, so each check is memoised on the
fields it reads and returns shared, immutable results; alike devices then share one ``Assessment``.
``tests/readiness/bench_readiness.py`` times 100,000 devices.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from assessment.readiness.cpu import judge_cpu

__all__ = [
    "ALREADY_INSTALLED_REQUIREMENT",
    "CHECKS",
    "MEMORY",
    "OS_64BIT",
    "PROCESSOR",
    "PROCESSOR_CORES_SPEED",
    "RAM_MIN_REPORTED_BYTES",
    "REQUIREMENTS",
    "SECURE_BOOT",
    "STORAGE",
    "STORAGE_MIN_VOLUME_BYTES",
    "TPM",
    "Assessment",
    "DeviceHardware",
    "Requirement",
    "RequirementResult",
    "Status",
    "Verdict",
    "assess",
    "check_memory",
    "check_os_architecture",
    "check_processor",
    "check_processor_cores_speed",
    "check_secure_boot",
    "check_storage",
    "check_tpm",
    "installed_release",
    "parse_flag",
    "parse_os_build",
]

GiB = 1024**3

RAM_MIN_REPORTED_BYTES = int(3.5 * GiB)
STORAGE_MIN_VOLUME_BYTES = 50 * GiB
CPU_MIN_LOGICAL_CORES = 2
CPU_MIN_CLOCK_MHZ = 1000
FIRST_24H2_BUILD = 26100
FIRST_WINDOWS_11_BUILD = 22000

# The replaced system marked already-upgraded devices by this passed-requirement text, and
# GET /api/windows-11-24h2/status counts "already compatible" devices by it.
ALREADY_INSTALLED_REQUIREMENT = "Windows 11 24H2 Already Installed"

WORKSTATION_NODE_CLASS = "WINDOWS_WORKSTATION"


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INSUFFICIENT_DATA = "insufficient_data"


class Verdict(StrEnum):
    COMPATIBLE = "compatible"
    COMPATIBLE_AFTER_FIX = "compatible_after_fix"
    INCOMPATIBLE = "incompatible"
    NOT_ASSESSED = "not_assessed"


# The spec's deficiency/passed-requirement status words (response-shapes.md section 6).
_RESPONSE_STATUS = {Status.PASSED: "PASS", Status.FAILED: "FAIL", Status.INSUFFICIENT_DATA: "ERROR"}


@dataclass(frozen=True, slots=True)
class Requirement:
    """One Windows 11 24H2 requirement: a stable machine key, its display label, what it needs."""

    key: str
    label: str
    required_value: str
    # The remediation of a deficiency whose data is missing: every deficiency carries a suggestion.
    missing_data_remediation: str


_RERUN = "then re-run the assessment"
OS_64BIT = Requirement(
    "os_64bit",
    "64-bit OS",
    "64-bit Windows",
    f"Make sure the NinjaOne agent on this device is online and reports its OS architecture, {_RERUN}",
)
MEMORY = Requirement(
    "memory",
    "Memory (RAM)",
    "4 GB or more",
    f"Make sure the NinjaOne agent on this device is online and reports its memory size, {_RERUN}",
)
STORAGE = Requirement(
    "storage",
    "Storage",
    "64 GB or larger system drive",
    f"Make sure the NinjaOne agent on this device is online and reports its system drive size, {_RERUN}",
)
TPM = Requirement(
    "tpm",
    "TPM 2.0",
    "TPM version 2.0, present and enabled",
    "Make sure NinjaOne reports this device's TPM presence, state and version (the custom fields named in "
    f"NINJA_TPM_FIELDS), or check tpm.msc on the device; {_RERUN}",
)
SECURE_BOOT = Requirement(
    "secure_boot",
    "Secure Boot",
    "UEFI firmware capable of Secure Boot",
    "Make sure NinjaOne reports whether this device supports Secure Boot and whether it is on (the custom "
    f"fields named in NINJA_TPM_FIELDS), or check msinfo32 on the device; {_RERUN}",
)
PROCESSOR = Requirement(
    "processor",
    "Processor",
    "On Microsoft's Windows 11 24H2 supported processor list",
    "Make sure the NinjaOne agent on this device reports its processor model, then check it against "
    "Microsoft's supported list",
)
PROCESSOR_CORES_SPEED = Requirement(
    "processor_cores_speed",
    "Processor cores/speed",
    "2 or more logical cores at 1 GHz or faster",
    f"Make sure the NinjaOne agent on this device reports its processor core count and clock speed, {_RERUN}",
)

REQUIREMENTS: tuple[Requirement, ...] = (
    PROCESSOR,
    PROCESSOR_CORES_SPEED,
    MEMORY,
    STORAGE,
    TPM,
    SECURE_BOOT,
    OS_64BIT,
)


@dataclass(frozen=True, slots=True)
class DeviceHardware:
    """What the rules need to know about one device; ``None`` wherever the snapshot has no value.

    ``ram_bytes`` and ``system_volume_bytes`` are bytes as Ninja reports them; ``cpu_max_clock_mhz`` is in
    MHz. ``tpm_version`` is the raw text (``"2.0"``, ``"2.0, 0, 1.38"``, ``"1.2"``). ``system_model`` is
    only needed for processors Microsoft lists for specific systems.
    """

    node_class: str | None = None
    os_name: str | None = None
    os_build: int | None = None
    os_release_id: str | None = None
    os_architecture: str | None = None
    ram_bytes: int | None = None
    system_volume_bytes: int | None = None
    cpu_name: str | None = None
    cpu_cores: int | None = None
    cpu_logical_cores: int | None = None
    cpu_max_clock_mhz: float | None = None
    has_tpm: bool | None = None
    tpm_enabled: bool | None = None
    tpm_version: str | None = None
    secure_boot_available: bool | None = None
    secure_boot_enabled: bool | None = None
    system_manufacturer: str | None = None
    system_model: str | None = None


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """The outcome of one requirement for one device.

    ``fixable`` is true only for failures fixed by a firmware setting (TPM or Secure Boot off).
    """

    key: str
    requirement: str
    status: Status
    current_value: str
    required_value: str
    reason: str
    remediation: str | None = None
    fixable: bool = False

    def to_response(self) -> dict[str, str | None]:
        """The spec's shape: ``{requirement, status, current_value, required, reason, remediation}``.

        ``status`` uses the spec's words: ``PASS``, ``FAIL``, ``ERROR`` (insufficient data).
        """
        return {
            "requirement": self.requirement,
            "status": _RESPONSE_STATUS[self.status],
            "current_value": self.current_value,
            "required": self.required_value,
            "reason": self.reason,
            "remediation": self.remediation,
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """The verdict for one device, why, and every requirement's result (empty when out of scope)."""

    verdict: Verdict
    reason: str
    requirements: tuple[RequirementResult, ...]
    already_installed: bool = False
    installed_release: str | None = None

    @property
    def failed(self) -> tuple[RequirementResult, ...]:
        return tuple(r for r in self.requirements if r.status is Status.FAILED)

    @property
    def insufficient(self) -> tuple[RequirementResult, ...]:
        return tuple(r for r in self.requirements if r.status is Status.INSUFFICIENT_DATA)

    @property
    def passed(self) -> tuple[RequirementResult, ...]:
        return tuple(r for r in self.requirements if r.status is Status.PASSED)

    @property
    def deficiencies(self) -> tuple[RequirementResult, ...]:
        """Failed and undecidable requirements, the spec's ``deficiencies`` list."""
        return tuple(r for r in self.requirements if r.status is not Status.PASSED)


# --- input helpers (for the code that builds DeviceHardware from snapshot rows) ----------------------

_TRUE_WORDS = frozenset({"true", "yes", "1", "enabled", "on"})
_FALSE_WORDS = frozenset({"false", "no", "0", "disabled", "off"})


def parse_flag(value: object) -> bool | None:
    """A custom-field flag (``"true"``/``"false"``/empty, or a real bool) as ``bool | None``."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    return None


def parse_os_build(value: object) -> int | None:
    """The Windows build number from ``22631``, ``"22631"``, ``"22631.4317"`` or ``"10.0.22631.4317"``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    for part in str(value).strip().split("."):
        # "10.0.22631.4317": skip the 10.0 version prefix and stop before the update revision.
        if part.isdigit() and int(part) >= 7600:
            return int(part)
    return None


# --- the requirement checks -------------------------------------------------------------------------


def _result(
    req: Requirement,
    status: Status,
    current: str,
    reason: str,
    remediation: str | None = None,
    fixable: bool = False,
) -> RequirementResult:
    if remediation is None and status is Status.INSUFFICIENT_DATA:
        remediation = req.missing_data_remediation
    return RequirementResult(req.key, req.label, status, current, req.required_value, reason, remediation, fixable)


def _tenths_of_gib(num_bytes: int) -> int:
    return (num_bytes * 10 + GiB // 2) // GiB


def _size(tenths: int) -> str:
    # Windows shows binary sizes with the "GB" unit; so do we, so numbers match what technicians see.
    return f"{tenths // 10}.{tenths % 10} GB"


def check_os_architecture(hw: DeviceHardware) -> RequirementResult:
    return _os_architecture(hw.os_architecture)


@lru_cache(maxsize=1024)
def _os_architecture(raw: str | None) -> RequirementResult:
    arch = (raw or "").strip()
    if not arch:
        return _result(OS_64BIT, Status.INSUFFICIENT_DATA, "Unknown", "OS architecture not reported")
    lowered = arch.lower()
    if "64" in lowered:
        return _result(OS_64BIT, Status.PASSED, arch, f"{arch} operating system")
    if "32" in lowered or lowered in ("x86", "i386", "i686"):
        return _result(
            OS_64BIT,
            Status.FAILED,
            arch,
            "32-bit Windows cannot be upgraded to Windows 11, which is 64-bit only",
            "Clean-install 64-bit Windows 11 (an in-place upgrade from 32-bit Windows is not possible)",
        )
    return _result(OS_64BIT, Status.INSUFFICIENT_DATA, arch, f"unrecognised OS architecture {arch!r}")


def check_memory(hw: DeviceHardware) -> RequirementResult:
    ram = hw.ram_bytes
    # 0 means "not reported" in Ninja data, never a machine without memory.
    if ram is None or ram <= 0:
        return _result(MEMORY, Status.INSUFFICIENT_DATA, "Unknown", "memory size not reported")
    return _memory(_tenths_of_gib(ram), ram >= RAM_MIN_REPORTED_BYTES)


# Sizes differ by a few KB from device to device; results are keyed on what they show, so they share.
@lru_cache(maxsize=4096)
def _memory(tenths: int, enough: bool) -> RequirementResult:
    current = _size(tenths)
    if enough:
        return _result(MEMORY, Status.PASSED, current, f"{current} of memory")
    return _result(
        MEMORY,
        Status.FAILED,
        current,
        f"{current} of memory; Windows 11 needs 4 GB",
        "Upgrade the memory to 4 GB or more, or replace the device",
    )


def check_storage(hw: DeviceHardware) -> RequirementResult:
    size = hw.system_volume_bytes
    if size is None or size <= 0:
        return _result(STORAGE, Status.INSUFFICIENT_DATA, "Unknown", "system drive size not reported")
    return _storage(_tenths_of_gib(size), size >= STORAGE_MIN_VOLUME_BYTES)


@lru_cache(maxsize=4096)
def _storage(tenths: int, enough: bool) -> RequirementResult:
    current = _size(tenths)
    if enough:
        return _result(STORAGE, Status.PASSED, current, f"system drive of {current}")
    return _result(
        STORAGE,
        Status.FAILED,
        current,
        f"system drive of {current}; Windows 11 needs a 64 GB or larger drive",
        "Replace the system drive with one of 64 GB or more, or replace the device",
    )


_TPM_VERSION = re.compile(r"^\s*(\d+)(?:\.(\d+))?")


@lru_cache(maxsize=256)
def _tpm_version(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    # Win32_Tpm SpecVersion reads "2.0, 0, 1.38": the first field is the TPM version.
    match = _TPM_VERSION.match(text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


_ENABLE_TPM = (
    "Enable the TPM in the UEFI/BIOS settings (Intel PTT, AMD fTPM or 'Security Chip'), "
    "then confirm it reports version 2.0"
)


def check_tpm(hw: DeviceHardware) -> RequirementResult:
    return _tpm(hw.has_tpm, hw.tpm_enabled, hw.tpm_version)


@lru_cache(maxsize=1024)
def _tpm(present: bool | None, enabled: bool | None, raw_version: str | None) -> RequirementResult:
    version = _tpm_version(raw_version)
    if present is None and (version is not None or enabled is True):
        present = True
    if present is False:
        return _result(
            TPM,
            Status.FAILED,
            "Not present",
            "no TPM detected",
            "If the board has a firmware TPM (Intel PTT, AMD fTPM), enable it in the UEFI/BIOS settings; "
            "otherwise fit a TPM 2.0 module or replace the device",
        )
    if present is None:
        return _result(TPM, Status.INSUFFICIENT_DATA, "Unknown", "TPM presence not reported")
    label = f"TPM {version[0]}.{version[1]}" if version else "TPM (version not reported)"
    if version is not None and version[0] < 2:
        return _result(
            TPM,
            Status.FAILED,
            label,
            f"{label}; Windows 11 needs TPM 2.0",
            "Apply the manufacturer's TPM firmware update to 2.0 where one exists; otherwise replace the device",
        )
    if enabled is False:
        return _result(
            TPM,
            Status.FAILED,
            f"{label}, disabled",
            f"{label} is present but disabled",
            _ENABLE_TPM,
            fixable=True,
        )
    if enabled is None:
        return _result(TPM, Status.INSUFFICIENT_DATA, label, "whether the TPM is enabled is not reported")
    if version is None:
        return _result(TPM, Status.INSUFFICIENT_DATA, f"{label}, enabled", "TPM version not reported")
    return _result(TPM, Status.PASSED, f"{label}, enabled", f"{label} present and enabled")


def check_secure_boot(hw: DeviceHardware) -> RequirementResult:
    return _secure_boot(hw.secure_boot_available, hw.secure_boot_enabled)


@lru_cache(maxsize=16)
def _secure_boot(capable: bool | None, enabled: bool | None) -> RequirementResult:
    if enabled is True:
        return _result(SECURE_BOOT, Status.PASSED, "Enabled", "Secure Boot is enabled")
    if capable is False:
        return _result(
            SECURE_BOOT,
            Status.FAILED,
            "Not capable",
            "the firmware does not report UEFI Secure Boot support (legacy BIOS)",
            "Replace the device; if its firmware does have a UEFI mode, convert the disk with MBR2GPT, "
            "switch to UEFI and enable Secure Boot",
        )
    if capable is True and enabled is False:
        return _result(
            SECURE_BOOT,
            Status.FAILED,
            "Capable, disabled",
            "Secure Boot is supported but turned off",
            "Enable Secure Boot in the UEFI/BIOS settings (switch from legacy/CSM to UEFI first, converting "
            "an MBR disk with MBR2GPT)",
            fixable=True,
        )
    if capable is True:
        return _result(SECURE_BOOT, Status.INSUFFICIENT_DATA, "Capable", "Secure Boot state not reported")
    if enabled is False:
        return _result(
            SECURE_BOOT,
            Status.INSUFFICIENT_DATA,
            "Disabled",
            "Secure Boot is off and whether the firmware supports it is not reported",
        )
    return _result(SECURE_BOOT, Status.INSUFFICIENT_DATA, "Unknown", "Secure Boot support not reported")


def check_processor(hw: DeviceHardware) -> RequirementResult:
    return _processor(hw.cpu_name, hw.system_model)


@lru_cache(maxsize=65536)
def _processor(cpu_name: str | None, system_model: str | None) -> RequirementResult:
    verdict = judge_cpu(cpu_name)
    if verdict.model is None and verdict.supported is None:
        return _result(PROCESSOR, Status.INSUFFICIENT_DATA, "Unknown", verdict.reason)
    current = " ".join((cpu_name or "").split())
    if verdict.supported is None:
        return _result(
            PROCESSOR,
            Status.INSUFFICIENT_DATA,
            current,
            verdict.reason,
            "Check the processor against Microsoft's supported list",
        )
    if verdict.supported is False:
        remediation = (
            "Replace the device: Windows 11 24H2 cannot run on this processor"
            if verdict.lacks_sse42_popcnt
            else "Replace the device (or its processor) with one on Microsoft's supported list"
        )
        return _result(PROCESSOR, Status.FAILED, current, verdict.reason, remediation)
    if verdict.only_on_systems:
        systems = ", ".join(verdict.only_on_systems)
        model = (system_model or "").lower()
        if not model:
            return _result(
                PROCESSOR,
                Status.INSUFFICIENT_DATA,
                current,
                f"{verdict.reason}; the system model is not reported",
                f"Make sure NinjaOne reports this device's system model (this processor is supported only in "
                f"{systems}), {_RERUN}",
            )
        if not any(system.lower() in model for system in verdict.only_on_systems):
            return _result(
                PROCESSOR,
                Status.FAILED,
                current,
                f"{verdict.reason}; this system is a {system_model}, not {systems}",
                "Replace the device with one whose processor is on Microsoft's supported list",
            )
    return _result(PROCESSOR, Status.PASSED, current, verdict.reason)


def check_processor_cores_speed(hw: DeviceHardware) -> RequirementResult:
    logical = hw.cpu_logical_cores if hw.cpu_logical_cores else hw.cpu_cores
    return _cores_speed(logical, hw.cpu_max_clock_mhz, hw.cpu_name)


@lru_cache(maxsize=65536)
def _cores_speed(logical: int | None, raw_clock: float | None, cpu_name: str | None) -> RequirementResult:
    if logical is not None and logical <= 0:
        logical = None
    clock = raw_clock
    if clock is not None and not math.isfinite(clock):
        clock = None  # NaN would pass every comparison below as "fast enough"
    if clock is not None and clock > 100_000:
        # No processor runs at 100 GHz: such a value is in Hz (a raw WMI/Ninja reading).
        clock = clock / 1_000_000
    if clock is None or clock <= 0:
        # The brand string often prints the base clock ("@ 2.40GHz"); it is the same figure.
        clock = judge_cpu(cpu_name).base_clock_mhz if cpu_name else None
    cores_text = f"{logical} logical cores" if logical is not None else "cores not reported"
    clock_text = f"{clock / 1000:.2f} GHz" if clock is not None else "clock not reported"
    current = f"{cores_text}, {clock_text}"

    if logical is not None and logical < CPU_MIN_LOGICAL_CORES:
        return _result(
            PROCESSOR_CORES_SPEED,
            Status.FAILED,
            current,
            f"{logical} logical core; Windows 11 needs 2 or more",
            "Replace the device",
        )
    # Microsoft lists some low-power parts whose base clock is under 1 GHz; the list wins for those.
    if clock is not None and clock < CPU_MIN_CLOCK_MHZ and judge_cpu(cpu_name).supported is not True:
        return _result(
            PROCESSOR_CORES_SPEED,
            Status.FAILED,
            current,
            f"{clock_text}; Windows 11 needs 1 GHz or faster",
            "Replace the device",
        )
    if logical is None or clock is None:
        missing = " and ".join(
            part for part, value in (("core count", logical), ("clock speed", clock)) if value is None
        )
        return _result(PROCESSOR_CORES_SPEED, Status.INSUFFICIENT_DATA, current, f"processor {missing} not reported")
    if clock < CPU_MIN_CLOCK_MHZ:
        return _result(
            PROCESSOR_CORES_SPEED,
            Status.PASSED,
            current,
            f"base clock {clock_text} is below 1 GHz, but the processor is on Microsoft's supported list",
        )
    return _result(PROCESSOR_CORES_SPEED, Status.PASSED, current, f"{cores_text} at {clock_text}")


CHECKS = (
    check_processor,
    check_processor_cores_speed,
    check_memory,
    check_storage,
    check_tpm,
    check_secure_boot,
    check_os_architecture,
)


# --- the verdict ------------------------------------------------------------------------------------

_RELEASE_ID = re.compile(r"^\s*(\d{2})H([12])\s*$", re.IGNORECASE)
_RELEASE_OF_BUILD = {26100: "24H2", 26200: "25H2"}
_VM_GUEST_SUFFIXES = ("_VM_GUEST", "_VMM_GUEST")


@lru_cache(maxsize=256)
def _release(release_id: str | None) -> tuple[int, int] | None:
    if not release_id:
        return None
    match = _RELEASE_ID.match(release_id)
    return (int(match.group(1)), int(match.group(2))) if match else None


def installed_release(hw: DeviceHardware) -> str | None:
    """The release (``"24H2"``, ``"25H2"``, ``"build 26300"``) when the device already runs 24H2 or newer."""
    return _installed_release(hw.os_build, hw.os_release_id, hw.os_name)


@lru_cache(maxsize=4096)
def _installed_release(build: int | None, release_id: str | None, os_name: str | None) -> str | None:
    release = _release(release_id)
    if build is not None and build >= FIRST_24H2_BUILD:
        if release is not None and release >= (24, 2):
            return f"{release[0]}H{release[1]}"
        return _RELEASE_OF_BUILD.get(build, f"build {build}")
    is_windows_11 = (build is not None and build >= FIRST_WINDOWS_11_BUILD) or ("windows 11" in (os_name or "").lower())
    if is_windows_11 and release is not None and release >= (24, 2):
        return f"{release[0]}H{release[1]}"
    return None


@lru_cache(maxsize=4096)
def _out_of_scope(raw_node_class: str | None, raw_os_name: str | None) -> str | None:
    node_class = (raw_node_class or "").strip().upper()
    os_name = (raw_os_name or "").strip()
    lowered = os_name.lower()
    if node_class and node_class != WORKSTATION_NODE_CLASS:
        if node_class == "WINDOWS_SERVER":
            return "Windows Server (node class WINDOWS_SERVER): servers are not assessed"
        if node_class.endswith(_VM_GUEST_SUFFIXES):
            return f"virtual machine guest (node class {node_class}) is not assessed"
        return f"not a Windows workstation (node class {node_class})"
    if os_name:
        if "server" in lowered:
            return f"server operating system ({os_name}) is not assessed"
        if "windows" not in lowered:
            return f"not a Windows operating system ({os_name})"
    elif not node_class:
        return "insufficient data: neither node class nor operating system reported"
    return None


def _labels(results: list[RequirementResult]) -> str:
    return ", ".join(r.requirement for r in results)


@lru_cache(maxsize=1024)
def _not_assessed(reason: str) -> Assessment:
    return Assessment(Verdict.NOT_ASSESSED, reason, ())


def _decide(results: tuple[RequirementResult, ...], release: str | None) -> Assessment:
    if release is not None:
        reason = (
            "Windows 11 24H2 already installed"
            if release == "24H2"
            else f"already on {release}, newer than Windows 11 24H2"
        )
        return Assessment(Verdict.COMPATIBLE, reason, results, already_installed=True, installed_release=release)

    blocking: list[RequirementResult] = []
    fixable: list[RequirementResult] = []
    missing: list[RequirementResult] = []
    for result in results:
        if result.status is Status.FAILED:
            (fixable if result.fixable else blocking).append(result)
        elif result.status is Status.INSUFFICIENT_DATA:
            missing.append(result)
    if blocking:
        return Assessment(Verdict.INCOMPATIBLE, f"fails: {_labels(blocking)}", results)
    if missing:
        return Assessment(Verdict.NOT_ASSESSED, f"insufficient data: {_labels(missing)}", results)
    if fixable:
        return Assessment(
            Verdict.COMPATIBLE_AFTER_FIX, f"compatible after a firmware change: {_labels(fixable)}", results
        )
    return Assessment(Verdict.COMPATIBLE, "meets every Windows 11 24H2 requirement", results)


# Every check returns shared, cached result objects, so devices alike share one result tuple and one
# Assessment. Keyed by the results' identities (cheap to hash); sound because each entry's value holds
# those very objects, so none of those ids can be reused while the entry exists.
_DECIDED: dict[tuple[object, ...], Assessment] = {}
_DECIDED_MAX = 65536


def assess(hw: DeviceHardware) -> Assessment:
    """Assess one device's Windows 11 24H2 readiness (see the module docstring for the precedence)."""
    out_of_scope = _out_of_scope(hw.node_class, hw.os_name)
    if out_of_scope is not None:
        return _not_assessed(out_of_scope)

    # Spelled out rather than a loop over CHECKS: the generator would cost more than the cached checks.
    results = (
        check_processor(hw),
        check_processor_cores_speed(hw),
        check_memory(hw),
        check_storage(hw),
        check_tpm(hw),
        check_secure_boot(hw),
        check_os_architecture(hw),
    )
    release = installed_release(hw)
    key = (release, *map(id, results))
    decided = _DECIDED.get(key)
    if decided is None:
        decided = _decide(results, release)
        if len(_DECIDED) >= _DECIDED_MAX:
            _DECIDED.clear()
        _DECIDED[key] = decided
    return decided
