"""Time ``assess`` over 100,000 devices. A measurement script, not a test (pytest does not collect it).

Run: ``uv run python services/assessment/tests/readiness/bench_readiness.py``

Two fleets: "adversarial" draws every field independently at random (~3,000 distinct processor brand
strings, RAM and disk sizes that differ per device), so almost no two devices are alike and the caches
help least; "realistic" draws devices from 400 hardware models, varying per device only what really
varies (a few KB of usable RAM, disk size, firmware settings, OS build).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import replace

from assessment.readiness import DeviceHardware, assess, judge_cpu

GiB = 1024**3
DEVICES = 100_000

NAMED_CPUS: list[str | None] = [
    "Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz",
    "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz",
    "11th Gen Intel(R) Core(TM) i5-1135G7 @ 2.40GHz",
    "12th Gen Intel(R) Core(TM) i5-1235U",
    "Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz",
    "Intel(R) Core(TM) i5-6500 CPU @ 3.20GHz",
    "AMD Ryzen 5 3600 6-Core Processor",
    "AMD Ryzen 7 PRO 4750U with Radeon Graphics",
    "Intel(R) Celeron(R) N4020 CPU @ 1.10GHz",
    "Intel(R) Xeon(R) W-2133 CPU @ 3.60GHz",
    "Intel(R) Core(TM) Ultra 7 155H",
    "AMD Ryzen 5 2500U with Radeon Vega Mobile Gfx",
    "Snapdragon(R) X Elite - X1E78100 - Qualcomm(R) Oryon(TM) CPU",
    None,
]
MANY_CPUS = NAMED_CPUS + [f"Intel(R) Core(TM) i5-{n}U CPU @ 1.60GHz" for n in range(8000, 11000)]


def adversarial(rng: random.Random) -> list[DeviceHardware]:
    def one() -> DeviceHardware:
        return DeviceHardware(
            node_class=rng.choice(["WINDOWS_WORKSTATION"] * 9 + ["WINDOWS_SERVER", "MAC"]),
            os_name=rng.choice(["Windows 10 Pro", "Windows 11 Pro", "Windows 11 Enterprise"]),
            os_build=rng.choice([19045, 22631, 26100, 26200, None]),
            os_release_id=rng.choice(["22H2", "23H2", "24H2", None]),
            os_architecture=rng.choice(["64-bit"] * 20 + ["32-bit", None]),
            ram_bytes=rng.choice([None, 4 * GiB - rng.randrange(2**28), 8 * GiB - rng.randrange(2**28), 16 * GiB]),
            system_volume_bytes=rng.choice([None, 118 * GiB, 237 * GiB + rng.randrange(2**30), 28 * GiB]),
            cpu_name=rng.choice(MANY_CPUS),
            cpu_cores=4,
            cpu_logical_cores=rng.choice([2, 4, 8, None]),
            cpu_max_clock_mhz=rng.choice([1800, 2400, 998, None]),
            has_tpm=rng.choice([True, True, False, None]),
            tpm_enabled=rng.choice([True, True, False, None]),
            tpm_version=rng.choice(["2.0, 0, 1.38", "2.0", "1.2", None]),
            secure_boot_available=rng.choice([True, True, False, None]),
            secure_boot_enabled=rng.choice([True, False, None]),
        )

    return [one() for _ in range(DEVICES)]


def realistic(rng: random.Random) -> list[DeviceHardware]:
    models = [
        DeviceHardware(
            node_class="WINDOWS_WORKSTATION",
            os_architecture="64-bit",
            cpu_name=rng.choice(MANY_CPUS[:200]),
            cpu_cores=4,
            cpu_logical_cores=rng.choice([4, 8, 12, 16]),
            cpu_max_clock_mhz=rng.choice([1600, 1800, 2400, 3600]),
            ram_bytes=rng.choice([4, 8, 16, 32]) * GiB,
            system_volume_bytes=rng.choice([118, 237, 476]) * GiB,
            has_tpm=True,
            tpm_version=rng.choice(["2.0, 0, 1.38", "2.0, 0, 1.59", "1.2, 2, 3"]),
            secure_boot_available=True,
        )
        for _ in range(400)
    ]

    def one() -> DeviceHardware:
        model = rng.choice(models)
        return replace(
            model,
            node_class="WINDOWS_WORKSTATION" if rng.random() < 0.9 else "WINDOWS_SERVER",
            os_name=rng.choice(["Windows 10 Pro", "Windows 11 Pro"]),
            os_build=rng.choice([19045, 22631, 26100]),
            ram_bytes=(model.ram_bytes or 0) - rng.randrange(2**27),
            system_volume_bytes=(model.system_volume_bytes or 0) - rng.randrange(2**29),
            tpm_enabled=rng.random() > 0.03,
            secure_boot_enabled=rng.random() < 0.95,
        )

    return [one() for _ in range(DEVICES)]


def main() -> None:
    for name, make in (("adversarial", adversarial), ("realistic", realistic)):
        devices = make(random.Random(7))
        judge_cpu.cache_clear()
        for label in ("cold", "warm"):
            started = time.perf_counter()
            results = [assess(d) for d in devices]
            elapsed = time.perf_counter() - started
            per_device = elapsed / len(results) * 1e6
            where = f"{name} fleet, {label} caches"
            print(f"{where}: {len(results):,} devices in {elapsed:.3f} s ({per_device:.1f} µs each)")
        print(f"  {dict(Counter(r.verdict.value for r in results))}")


if __name__ == "__main__":
    main()
