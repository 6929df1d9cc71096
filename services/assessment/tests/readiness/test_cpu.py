"""Processor judgement for Windows 11 24H2 from real brand strings, as Windows/Ninja report them."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from importlib import resources

import pytest

from assessment.readiness.cpu import CpuVerdict, catalog, intel_core_generation, judge_cpu, normalise_brand

# (brand string, supported, generation or None when not asserted)
INTEL_CORE = [
    # 1st gen: 3-digit model numbers, often without the hyphen.
    ("Intel(R) Core(TM) i5 CPU       M 520  @ 2.40GHz", False, 1),
    ("Intel(R) Core(TM) i5 CPU         650  @ 3.20GHz", False, 1),
    ("Intel(R) Core(TM) i7 CPU         920  @ 2.67GHz", False, 1),
    ("Intel(R) Core(TM) i7-2600 CPU @ 3.40GHz", False, 2),
    ("Intel(R) Core(TM) i5-3470 CPU @ 3.20GHz", False, 3),
    ("Intel(R) Core(TM) i7-4790 CPU @ 3.60GHz", False, 4),
    ("Intel(R) Core(TM) i5-5300U CPU @ 2.30GHz", False, 5),
    ("Intel(R) Core(TM) i3-6100 CPU @ 3.70GHz", False, 6),
    ("Intel(R) Core(TM) i5-6300U CPU @ 2.40GHz", False, 6),
    ("Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz", False, 7),
    ("Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz", False, 7),
    ("Intel(R) Core(TM) i7-7740X CPU @ 4.30GHz", False, 7),
    ("Intel(R) Core(TM) m3-7Y30 CPU @ 1.00GHz", False, 7),
    ("Intel(R) Core(TM) M-5Y10c CPU @ 0.80GHz", False, 5),
    # 7th-gen numbering on Microsoft's list: Core X (Skylake-X).
    ("Intel(R) Core(TM) i7-7800X CPU @ 3.50GHz", True, 7),
    ("Intel(R) Core(TM) i9-7900X CPU @ 3.30GHz", True, 7),
    ("Intel(R) Core(TM) i9-7980XE CPU @ 2.60GHz", True, 7),
    ("Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz", True, 8),
    ("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", True, 8),
    ("Intel(R) Core(TM) m3-8100Y CPU @ 1.10GHz", True, 8),
    ("Intel(R) Core(TM) i5-8365U CPU @ 1.60GHz", True, 8),
    ("Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz", True, 9),
    ("Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz", True, 10),
    ("Intel(R) Core(TM) i5-10210U CPU @ 1.60GHz", True, 10),
    ("Intel(R) Core(TM) i5-1035G1 CPU @ 1.00GHz", True, 10),
    ("Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz", True, 10),
    ("11th Gen Intel(R) Core(TM) i5-1135G7 @ 2.40GHz", True, 11),
    ("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", True, 11),
    ("11th Gen Intel(R) Core(TM) i7-11700 @ 2.50GHz", True, 11),
    ("12th Gen Intel(R) Core(TM) i5-1235U", True, 12),
    ("12th Gen Intel(R) Core(TM) i7-1260P", True, 12),
    ("12th Gen Intel(R) Core(TM) i5-12400", True, 12),
    ("13th Gen Intel(R) Core(TM) i7-1365U", True, 13),
    ("13th Gen Intel(R) Core(TM) i7-13700H", True, 13),
    ("14th Gen Intel(R) Core(TM) i9-14900K", True, 14),
    ("14th Gen Intel(R) Core(TM) i5-14400", True, 14),
    ("Intel(R) Core(TM) Ultra 7 155H", True, None),
    ("Intel(R) Core(TM) Ultra 5 125U", True, None),
    ("Intel(R) Core(TM) Ultra 5 225U", True, None),
    ("Intel(R) Core(TM) Ultra 7 258V", True, None),
    ("Intel(R) Core(TM) 7 150U", True, None),
    ("Intel(R) Core(TM) 5 120U", True, None),
    ("Intel(R) Core(TM) i3-N305", True, None),
    ("Intel(R) N100", True, None),
    ("Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz", False, None),
    ("Intel(R) Core(TM)2 Quad CPU    Q6600  @ 2.40GHz", False, None),
]

INTEL_OTHER = [
    ("Intel(R) Xeon(R) CPU E3-1240 v5 @ 3.50GHz", False, None),
    ("Intel(R) Xeon(R) CPU E3-1245 v6 @ 3.70GHz", False, None),
    ("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", False, None),
    ("Intel(R) Xeon(R) CPU           X5670  @ 2.93GHz", False, None),
    ("Intel(R) Xeon(R) E-2176G CPU @ 3.70GHz", True, None),
    ("Intel(R) Xeon(R) E-2288G CPU @ 3.70GHz", True, None),
    ("Intel(R) Xeon(R) E-2378G CPU @ 2.80GHz", True, None),
    ("Intel(R) Xeon(R) W-2133 CPU @ 3.60GHz", True, None),
    ("Intel(R) Xeon(R) W-2245 CPU @ 3.90GHz", True, None),
    ("Intel(R) Xeon(R) W-3175X CPU @ 3.10GHz", True, None),
    ("Intel(R) Xeon(R) W-1290P CPU @ 3.70GHz", True, None),
    ("Intel(R) Xeon(R) w7-2495X", True, None),
    ("Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz", True, None),
    ("Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", True, None),
    ("Intel(R) Xeon(R) Platinum 8280 CPU @ 2.70GHz", True, None),
    ("Intel(R) Xeon(R) Bronze 3204 CPU @ 1.90GHz", True, None),
    ("Intel(R) Celeron(R) CPU N3350 @ 1.10GHz", False, None),
    ("Intel(R) Celeron(R) CPU  N3060  @ 1.60GHz", False, None),
    ("Intel(R) Celeron(R) CPU J1900 @ 1.99GHz", False, None),
    ("Intel(R) Celeron(R) N4000 CPU @ 1.10GHz", True, None),
    ("Intel(R) Celeron(R) N4020 CPU @ 1.10GHz", True, None),
    ("Intel(R) Celeron(R) J4125 CPU @ 2.00GHz", True, None),
    ("Intel(R) Celeron(R) N5100 @ 1.10GHz", True, None),
    ("Intel(R) Celeron(R) 6305 @ 1.80GHz", True, None),
    ("Intel(R) Celeron(R) CPU 3867U @ 1.80GHz", True, None),
    ("Intel(R) Celeron(R) CPU 3865U @ 1.80GHz", False, None),
    ("Intel(R) Celeron(R) G4900 CPU @ 3.10GHz", True, None),
    ("Intel(R) Celeron(R) CPU G3900 @ 2.80GHz", False, None),
    ("Intel(R) Pentium(R) Silver N5000 CPU @ 1.10GHz", True, None),
    ("Intel(R) Pentium(R) Silver N6000 @ 1.10GHz", True, None),
    ("Intel(R) Pentium(R) Gold G6400 CPU @ 4.00GHz", True, None),
    ("Intel(R) Pentium(R) Gold 7505 @ 2.00GHz", True, None),
    ("Intel(R) Pentium(R) CPU 4417U @ 2.30GHz", True, None),
    ("Intel(R) Pentium(R) CPU G4560 @ 3.50GHz", False, None),
    ("Intel(R) Pentium(R) CPU G6950 @ 2.80GHz", False, None),
    ("Intel(R) Pentium(R) CPU N4200 @ 1.10GHz", False, None),
    ("Intel(R) Atom(TM) x6425E CPU @ 2.00GHz", True, None),
    ("Intel(R) Atom(TM) x5-Z8350  CPU @ 1.44GHz", False, None),
]

AMD = [
    ("AMD Ryzen 5 1600 Six-Core Processor", False, 1),
    ("AMD Ryzen 7 1700X Eight-Core Processor", False, 1),
    ("AMD Ryzen 5 2600 Six-Core Processor", True, 2),
    ("AMD Ryzen 7 2700X Eight-Core Processor", True, 2),
    ("AMD Ryzen 3 2200G with Radeon Vega Graphics", False, 2),
    ("AMD Ryzen 5 2400G with Radeon Vega Graphics", False, 2),
    ("AMD Ryzen 5 2500U with Radeon Vega Mobile Gfx", False, 2),
    ("AMD Ryzen 7 2700U with Radeon Vega Mobile Gfx", False, 2),
    ("AMD Ryzen 5 3600 6-Core Processor", True, 3),
    ("AMD Ryzen 3 3200G with Radeon Vega Graphics", True, 3),
    ("AMD Ryzen 5 3400G with Radeon Vega Graphics", True, 3),
    ("AMD Ryzen 5 3500U with Radeon Vega Mobile Gfx", True, 3),
    ("AMD Ryzen 5 4600G with Radeon Graphics", True, 4),
    ("AMD Ryzen 7 4700U with Radeon Graphics", True, 4),
    ("AMD Ryzen 7 PRO 4750U with Radeon Graphics", True, 4),
    ("AMD Ryzen 5 5600X 6-Core Processor", True, 5),
    ("AMD Ryzen 7 5700G with Radeon Graphics", True, 5),
    ("AMD Ryzen 7 5800H with Radeon Graphics", True, 5),
    ("AMD Ryzen 7 6800U with Radeon Graphics", True, 6),
    ("AMD Ryzen 7 7800X3D 8-Core Processor", True, 7),
    ("AMD Ryzen 7 7840U w/ Radeon 780M Graphics", True, 7),
    ("AMD Ryzen 7 8700G w/ Radeon 780M Graphics", True, 8),
    ("AMD Ryzen 9 9950X 16-Core Processor", True, 9),
    ("AMD Ryzen AI 9 HX 370 w/ Radeon 890M", True, None),
    ("AMD Ryzen Threadripper 1950X 16-Core Processor", False, 1),
    ("AMD Ryzen Threadripper 2990WX 32-Core Processor", True, 2),
    ("AMD Ryzen Threadripper 3970X 32-Core Processor", True, 3),
    ("AMD Ryzen Threadripper PRO 3975WX 32-Cores", True, 3),
    ("AMD EPYC 7551 32-Core Processor", False, 1),
    ("AMD EPYC 7302P 16-Core Processor", True, 2),
    ("AMD EPYC 7443 24-Core Processor", True, 3),
    ("AMD EPYC 9654 96-Core Processor", True, 4),
    ("AMD Athlon 200GE with Radeon Vega Graphics", False, None),
    ("AMD Athlon 3000G with Radeon Vega Graphics", True, None),
    ("AMD Athlon Gold 3150U with Radeon Graphics", True, None),
    ("AMD Athlon Silver 3050U with Radeon Graphics", True, None),
    ("AMD 3020e with Radeon Graphics", True, None),
    ("AMD Phenom(tm) II X4 965 Processor", False, None),
    ("AMD Athlon(tm) II X2 250 Processor", False, None),
    ("AMD FX(tm)-8350 Eight-Core Processor", False, None),
    ("AMD A10-7850K Radeon R7, 12 Compute Cores 4C+8G", False, None),
    ("AMD PRO A12-9800B R7, 12 COMPUTE CORES 4C+8G", False, None),
    ("AMD E-350 Processor", False, None),
]

QUALCOMM = [
    ("Snapdragon(R) X Elite - X1E78100 - Qualcomm(R) Oryon(TM) CPU", True, None),
    ("Snapdragon(R) X Plus - X1P42100 - Qualcomm(R) Oryon(TM) CPU", True, None),
    ("Snapdragon(R) X 10-core X1P64100 @ 3.40 GHz", True, None),
    ("Snapdragon (TM) 8cx Gen 3 @ 3.0 GHz", True, None),
    ("Qualcomm(R) Snapdragon(TM) 8cx Gen 2 5G @ 3.15 GHz", True, None),
    ("Snapdragon (TM) 8c @ 2.45 GHz", True, None),
    ("Qualcomm(R) Snapdragon(TM) 7c Gen 2 @ 2.55 GHz", True, None),
    ("Snapdragon (TM) 7c+ Gen 3 @ 2.40 GHz", True, None),
    ("Snapdragon Compute Platform", True, None),
    ("Microsoft SQ1 @ 3.0 GHz", True, None),
    ("Microsoft SQ2 @ 3.15 GHz", True, None),
    ("Microsoft SQ3 @ 3.0 GHz", True, None),
    ("Snapdragon(TM) 850 @ 2.96 GHz", False, None),
    ("Qualcomm Snapdragon 835", False, None),
]

ALL_BRANDS = INTEL_CORE + INTEL_OTHER + AMD + QUALCOMM


def _ids(cases: Sequence[tuple[str, bool, int | None]]) -> list[str]:
    return [brand for brand, _, _ in cases]


def test_the_brief_asks_for_at_least_sixty_real_brand_strings() -> None:
    assert len(ALL_BRANDS) >= 60
    assert len({brand for brand, _, _ in ALL_BRANDS}) == len(ALL_BRANDS)


@pytest.mark.parametrize(("brand", "supported", "generation"), INTEL_CORE, ids=_ids(INTEL_CORE))
def test_intel_core(brand: str, supported: bool, generation: int | None) -> None:
    verdict = judge_cpu(brand)
    assert verdict.vendor == "intel"
    assert verdict.supported is supported, verdict.reason
    if generation is not None:
        assert verdict.generation == generation


@pytest.mark.parametrize(("brand", "supported", "generation"), INTEL_OTHER, ids=_ids(INTEL_OTHER))
def test_intel_xeon_celeron_pentium_atom(brand: str, supported: bool, generation: int | None) -> None:
    verdict = judge_cpu(brand)
    assert verdict.vendor == "intel"
    assert verdict.supported is supported, verdict.reason


@pytest.mark.parametrize(("brand", "supported", "generation"), AMD, ids=_ids(AMD))
def test_amd(brand: str, supported: bool, generation: int | None) -> None:
    verdict = judge_cpu(brand)
    assert verdict.vendor == "amd"
    assert verdict.supported is supported, verdict.reason
    if generation is not None:
        assert verdict.generation == generation


@pytest.mark.parametrize(("brand", "supported", "generation"), QUALCOMM, ids=_ids(QUALCOMM))
def test_qualcomm(brand: str, supported: bool, generation: int | None) -> None:
    verdict = judge_cpu(brand)
    assert verdict.vendor == "qualcomm"
    assert verdict.supported is supported, verdict.reason


# --- the replaced system's mistakes -----------------------------------------------------------------


def test_i7_10510u_is_tenth_generation_not_model_1051() -> None:
    verdict = judge_cpu("Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz")
    assert (verdict.supported, verdict.generation, verdict.model) == (True, 10, "Core i7-10510U")


def test_ryzen_5_3600_is_supported_without_a_literal_3000_substring() -> None:
    verdict = judge_cpu("AMD Ryzen 5 3600 6-Core Processor")
    assert verdict.supported is True
    assert verdict.model == "Ryzen 5 3600"


# --- generation parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "generation"),
    [
        ("520", 1),
        ("920", 1),
        ("2600", 2),
        ("8250", 8),
        ("9700", 9),
        ("1035", 10),
        ("1135", 11),
        ("1260", 12),
        ("1365", 13),
        ("10510", 10),
        ("10700", 10),
        ("11800", 11),
        ("12400", 12),
        ("14900", 14),
        ("7Y30", 7),
        ("N305", None),
    ],
)
def test_intel_core_generation_from_model_number(number: str, generation: int | None) -> None:
    assert intel_core_generation(number) == generation


def test_nth_gen_prefix_wins_over_the_model_number() -> None:
    # The prefix is Intel's own statement; a model number alone would not contradict it here, so
    # build a string where they disagree to prove which one is used.
    assert judge_cpu("12th Gen Intel(R) Core(TM) i5-1135G7").generation == 12


# --- exceptions, instruction sets, unknowns -----------------------------------------------------------


def test_i7_7820hq_is_supported_only_on_surface_studio_2() -> None:
    verdict = judge_cpu("Intel(R) Core(TM) i7-7820HQ CPU @ 2.90GHz")
    assert verdict.supported is True
    assert verdict.only_on_systems == ("Surface Studio 2",)
    assert verdict.matched_by == "supported_list"


@pytest.mark.parametrize(
    "brand",
    [
        "Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz",
        "Intel(R) Pentium(R) 4 CPU 3.00GHz",
        "Pentium(R) Dual-Core  CPU      E5400  @ 2.70GHz",
        "Intel(R) Celeron(R) CPU E3300 @ 2.50GHz",
        "Intel(R) Atom(TM) CPU N270   @ 1.60GHz",
        "AMD Phenom(tm) II X4 965 Processor",
        "AMD Athlon(tm) II X2 250 Processor",
        "AMD Athlon(tm) 64 X2 Dual Core Processor 5000+",
        "AMD Turion(tm) II Dual-Core Mobile M520",
    ],
)
def test_core_2_pentium_4_and_k10_fail_for_sse42_popcnt(brand: str) -> None:
    verdict = judge_cpu(brand)
    assert verdict.supported is False
    assert verdict.lacks_sse42_popcnt is True
    assert "SSE4.2/POPCNT" in verdict.reason


@pytest.mark.parametrize(
    "brand",
    ["Apple M1", "QEMU Virtual CPU version 2.5+", "Intel(R) Xeon(R) CPU @ 2.20GHz", "AMD Custom APU 0405"],
)
def test_unrecognised_processors_are_unknown_not_unsupported(brand: str) -> None:
    verdict = judge_cpu(brand)
    assert verdict.supported is None
    assert verdict.matched_by == "unrecognised"


@pytest.mark.parametrize("brand", [None, "", "   "])
def test_missing_processor_is_unknown(brand: str | None) -> None:
    verdict = judge_cpu(brand)
    assert verdict.supported is None
    assert verdict.matched_by == "missing"
    assert verdict.model is None


# --- noise and formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brand", "expected"),
    [
        ("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", "Intel Core i7-8700"),
        ("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", "11th Gen Intel Core i7-1165G7"),
        ("AMD Ryzen 7 PRO 4750U with Radeon Graphics", "AMD Ryzen 7 PRO 4750U"),
        ("AMD Ryzen 5 3600 6-Core Processor", "AMD Ryzen 5 3600"),
        ("Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz", "Intel Xeon Silver 4210R"),
        ("Microsoft SQ3 @ 3.0 GHz", "Microsoft SQ3"),
    ],
)
def test_normalise_brand_removes_noise(brand: str, expected: str) -> None:
    assert normalise_brand(brand) == expected


@pytest.mark.parametrize(
    "brand",
    [
        "  Intel(R)   Core(TM)  i5-8250U  CPU  @ 1.60GHz  ",
        "Intel® Core™ i5-8250U CPU @ 1.60GHz",
        "INTEL(R) CORE(TM) I5-8250U CPU @ 1.60GHZ",
        "Intel Core i5-8250U",
    ],
)
def test_brand_noise_and_case_do_not_change_the_verdict(brand: str) -> None:
    verdict = judge_cpu(brand)
    assert (verdict.supported, verdict.generation, verdict.model) == (True, 8, "Core i5-8250U")


def test_base_clock_is_read_from_the_brand_string() -> None:
    assert judge_cpu("Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz").base_clock_mhz == 1600
    assert judge_cpu("Microsoft SQ3 @ 3.0 GHz").base_clock_mhz == 3000
    assert judge_cpu("Intel(R) Core(TM) Ultra 7 155H").base_clock_mhz is None


def test_judgements_are_cached_and_immutable() -> None:
    first = judge_cpu("AMD Ryzen 5 3600 6-Core Processor")
    assert judge_cpu("AMD Ryzen 5 3600 6-Core Processor") is first
    assert isinstance(first, CpuVerdict)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.supported = False  # type: ignore[misc]


def test_verdict_names_the_data_version() -> None:
    verdict = judge_cpu("Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz")
    assert verdict.data_version == f"intel {catalog('intel').version}"


# --- the data files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["intel", "amd", "qualcomm"])
def test_data_files_are_package_data_with_source_and_version(vendor: str) -> None:
    text = resources.files("assessment.readiness").joinpath("cpu_data", f"{vendor}.json").read_text("utf-8")
    raw = json.loads(text)
    assert raw["vendor"] == vendor
    assert raw["source"].startswith("https://learn.microsoft.com/")
    assert "24h2" in raw["source"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw["source_date"])
    assert raw["version"]
    for rule in raw["family_rules"]:
        re.compile(rule["match"])
        assert isinstance(rule["supported"], bool)
        assert rule["family"] and rule["label"]


@pytest.mark.parametrize("vendor", ["intel", "amd", "qualcomm"])
def test_listed_models_are_judged_as_listed(vendor: str) -> None:
    data = catalog(vendor)
    for key in data.supported_models.keys() & data.unsupported_models.keys():
        pytest.fail(f"{key} is listed both as supported and unsupported")
    prefix = {"intel": "Intel ", "amd": "AMD ", "qualcomm": ""}[vendor]
    for listed in data.supported_models.values():
        assert judge_cpu(prefix + listed.model).supported is True, listed.model
    for listed in data.unsupported_models.values():
        assert judge_cpu(prefix + listed.model).supported is False, listed.model
