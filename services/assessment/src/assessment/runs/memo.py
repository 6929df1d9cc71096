"""The caches of an assessment run, gathered in one place (see :class:`OutcomeMemo`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from assessment.outcomes import AFTER_FIX, COMPATIBLE, INCOMPATIBLE, empty_counts, requirement_row
from assessment.readiness import Assessment, DeviceHardware, RequirementResult, assess

HARDWARE_ENTRIES = 50_000


class OutcomeMemo:
    """One run's caches, numbering each distinct outcome and collecting what is not stored yet.

    An outcome is what a device's result row holds besides its snapshot columns (``OUTCOME_COLUMNS``:
    verdict, already installed, installed release, reason, requirement result ids), plus whether it is in
    scope; out-of-scope outcomes are only counted. The caches, all keyed by value (never by ``id()``):

    1. ``by_hardware``: hardware tuple → outcome number. Devices alike (same hardware, firmware, OS) skip
       the rules entirely. Bounded: cleared past ``HARDWARE_ENTRIES`` (numbers stay valid, see 2).
    2. ``numbers``: outcome content → outcome number, so equal outcomes share one number and one
       scratch row however many devices or rule results produced them.
    3. ``result_ids``: requirement result → its stored id (a content hash), so each distinct result is
       hashed and queued for storage once per run.

    The rules themselves memoise per input with ``functools.lru_cache`` (``readiness/rules.py`` and
    ``readiness/cpu.py``: pure functions of hashable values, bounded by their ``maxsize``); nothing else
    in the service caches.
    """

    def __init__(self) -> None:
        self.by_hardware: dict[tuple[Any, ...], int] = {}
        self.numbers: dict[tuple[Any, ...], int] = {}
        self.outcomes: list[tuple[Any, ...]] = []
        self.new_outcomes: list[tuple[Any, ...]] = []
        self.result_ids: dict[RequirementResult, int] = {}
        self.stored: set[int] = set()
        self.pending: list[dict[str, Any]] = []
        self.tally: Counter[int] = Counter()
        self.excluded: set[int] = set()

    def number_for(self, hardware: tuple[Any, ...]) -> int:
        """The outcome number of a device with this hardware (the rules run once per distinct hardware)."""
        number = self.by_hardware.get(hardware)
        if number is None:
            if len(self.by_hardware) >= HARDWARE_ENTRIES:
                self.by_hardware.clear()  # bounded memory on fleets where no two devices are alike
            number = self.by_hardware[hardware] = self.outcome_no(assess(DeviceHardware(*hardware)))
        return number

    def outcome_no(self, assessment: Assessment) -> int:
        content = (
            assessment.verdict.value,
            # Out-of-scope devices (servers, Macs, ...) get no requirement at all; Windows
            # workstations with insufficient data still carry every requirement.
            bool(assessment.requirements),
            assessment.already_installed,
            assessment.installed_release,
            assessment.reason,
            tuple([self._result_id(result) for result in assessment.requirements]),
        )
        number = self.numbers.get(content)
        if number is None:
            number = self.numbers[content] = len(self.outcomes)
            row = (number, content[0], *content[2:5], list(content[5]))
            self.outcomes.append(row)
            if content[1]:
                self.new_outcomes.append(row)
            else:
                self.excluded.add(number)
        return number

    def _result_id(self, result: RequirementResult) -> int:
        known = self.result_ids.get(result)
        if known is not None:
            return known
        row = requirement_row(result)
        result_id: int = row["result_id"]
        self.result_ids[result] = result_id
        if result_id not in self.stored:
            self.stored.add(result_id)
            self.pending.append(row)
        return result_id

    def take_pending(self) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
        """Requirement results and outcomes found since the last call."""
        pending, self.pending = self.pending, []
        outcomes, self.new_outcomes = self.new_outcomes, []
        return pending, outcomes

    def counts(self) -> dict[str, int]:
        counts = empty_counts()
        for number, devices in self.tally.items():
            _, verdict, already = self.outcomes[number][:3]
            in_scope = number not in self.excluded
            if not in_scope:
                counts["excluded_devices"] += devices
                continue
            counts["total_windows_devices"] += devices
            if verdict == COMPATIBLE:
                counts["total_compatible_devices"] += devices
                counts["already_compatible_devices" if already else "compatible_for_upgrade_devices"] += devices
            elif verdict == AFTER_FIX:
                counts["total_compatible_devices"] += devices
                counts["compatible_for_upgrade_devices"] += devices
                counts["compatible_after_fix_devices"] += devices
            elif verdict == INCOMPATIBLE:
                counts["incompatible_devices"] += devices
            else:
                counts["not_assessed_devices"] += devices
        return counts
