"""Judge whether a processor brand string is supported by Windows 11 24H2.

``judge_cpu(brand)`` turns the raw brand string Ninja reports (``"11th Gen Intel(R) Core(TM) i7-1165G7 @
2.80GHz"``, ``"AMD Ryzen 5 3600 6-Core Processor"``, ``"Microsoft SQ3 @ 3.0 GHz"``) into a
:class:`CpuVerdict`: supported (``True``/``False``, or ``None`` when the processor is not recognised),
vendor, family, generation and a human reason.

The parser reduces the brand string to a canonical model key (``"Core i7-1165G7"``, ``"Ryzen 5 3600"``,
``"Microsoft SQ3"``) and the versioned data files in ``cpu_data/`` decide, in this order:

1. ``unsupported_models`` / ``supported_models`` — exact model keys (Microsoft's listed exceptions);
2. ``family_rules`` — ordered regular expressions over the model key, first match wins;
3. Intel Core i/m only: the generation parsed from the model number against ``core_min_generation``.

Anything left over is unknown (``supported=None``), which the readiness rules report as insufficient
data, never as a pass. Judgements are cached per brand string: a fleet has few distinct CPUs.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "CpuCatalog",
    "CpuRule",
    "CpuVerdict",
    "catalog",
    "intel_core_generation",
    "judge_cpu",
    "normalise_brand",
]

# How the verdict was reached, for audit and tests.
MATCHED_UNSUPPORTED_LIST = "unsupported_list"
MATCHED_SUPPORTED_LIST = "supported_list"
MATCHED_FAMILY_RULE = "family_rule"
MATCHED_GENERATION = "generation_rule"
MATCHED_NONE = "unrecognised"
MATCHED_MISSING = "missing"

# A brand string's clock at or above this is garbage, not a clock.
MAX_BRAND_CLOCK_MHZ = 100_000

_VENDOR_NAMES = {"intel": "Intel", "amd": "AMD", "qualcomm": "Qualcomm"}


@dataclass(frozen=True, slots=True)
class CpuVerdict:
    """The judgement of one processor brand string.

    ``generation`` is the vendor's own generation number where one exists: Intel Core i/m generation
    (``i7-10510U`` → 10), AMD Ryzen/Threadripper series (``Ryzen 5 3600`` → 3) and EPYC generation
    (``EPYC 7302P`` → 2); ``None`` otherwise. ``only_on_systems`` lists the only system models on
    which a listed exception is supported (Surface Studio 2 for the i7-7820HQ). ``base_clock_mhz`` is
    the clock printed in the brand string (``@ 2.40GHz``), if any.
    """

    supported: bool | None
    vendor: str | None
    family: str | None
    generation: int | None
    model: str | None
    reason: str
    matched_by: str
    lacks_sse42_popcnt: bool = False
    only_on_systems: tuple[str, ...] = ()
    base_clock_mhz: int | None = None
    data_version: str | None = None


@dataclass(frozen=True, slots=True)
class CpuRule:
    pattern: re.Pattern[str]
    supported: bool
    family: str
    label: str
    lacks_sse42_popcnt: bool = False


@dataclass(frozen=True, slots=True)
class _ListedModel:
    model: str
    note: str
    only_on_systems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CpuCatalog:
    """One vendor's data file, compiled."""

    vendor: str
    source: str
    source_date: str
    version: str
    supported_models: dict[str, _ListedModel]
    unsupported_models: dict[str, _ListedModel]
    family_rules: tuple[CpuRule, ...]
    core_min_generation: int | None = None

    @property
    def data_version(self) -> str:
        return f"{self.vendor} {self.version}"


def _listed(entries: list[dict[str, Any]]) -> dict[str, _ListedModel]:
    return {
        entry["model"].upper(): _ListedModel(
            model=entry["model"],
            note=entry.get("note", ""),
            only_on_systems=tuple(entry.get("only_on_systems", ())),
        )
        for entry in entries
    }


def _load(vendor: str) -> CpuCatalog:
    text = resources.files("assessment.readiness").joinpath("cpu_data", f"{vendor}.json").read_text("utf-8")
    raw = json.loads(text)
    rules = tuple(
        CpuRule(
            pattern=re.compile(rule["match"], re.IGNORECASE),
            supported=bool(rule["supported"]),
            family=rule["family"],
            label=rule["label"],
            lacks_sse42_popcnt=bool(rule.get("lacks_sse42_popcnt", False)),
        )
        for rule in raw["family_rules"]
    )
    return CpuCatalog(
        vendor=raw["vendor"],
        source=raw["source"],
        source_date=raw["source_date"],
        version=raw["version"],
        supported_models=_listed(raw.get("supported_models", [])),
        unsupported_models=_listed(raw.get("unsupported_models", [])),
        family_rules=rules,
        core_min_generation=raw.get("core_min_generation"),
    )


@cache
def catalog(vendor: str) -> CpuCatalog:
    """The compiled data file of ``vendor`` (``"intel"``, ``"amd"`` or ``"qualcomm"``)."""
    return _load(vendor)


# --- brand-string normalisation -------------------------------------------------------------------

_TRADEMARKS = re.compile(r"\((?:R|TM|C)\)|®|™", re.IGNORECASE)
_GEN_PREFIX = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+Gen\b", re.IGNORECASE)
_CLOCK = re.compile(r"@?\s*(\d+(?:\.\d+)?)\s*([GM])Hz\b", re.IGNORECASE)
# AMD APUs append the graphics ("with Radeon Graphics", "w/ Radeon 780M", "Radeon R7, 12 Compute Cores
# 4C+8G"); it says nothing about the CPU and its digits would confuse the model parser.
_AMD_GRAPHICS = re.compile(
    r"\s+(?:(?:with|w/)\s*Radeon\b.*|Radeon\b.*|R\d,\s*\d+\s+Compute\s+Cores.*|,?\s*\d+\s+Compute\s+Cores.*)$",
    re.IGNORECASE,
)
_CORE_COUNT = re.compile(
    r"\b(?:\d+|Single|Dual|Triple|Quad|Six|Eight|Ten|Twelve|Sixteen|Twenty-Four|Thirty-Two|Sixty-Four)"
    r"[- ]Cores?\b",
    re.IGNORECASE,
)
_WORDS_NOISE = re.compile(r"\b(?:CPU|Processor|APU|Mobile\s+Technology)\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def normalise_brand(brand: str) -> str:
    """The brand string without trademarks, clock, core counts, graphics and filler words."""
    # Removed without a space: "Core(TM)2 Duo" and "FX(tm)-8350" must stay one word.
    text = _TRADEMARKS.sub("", brand)
    text = _CLOCK.sub(" ", text)
    text = _CORE_COUNT.sub(" ", text)
    text = _WORDS_NOISE.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return _AMD_GRAPHICS.sub("", text).strip(" -,")


def _brand_clock_mhz(brand: str) -> int | None:
    match = _CLOCK.search(brand)
    if match is None:
        return None
    value = float(match.group(1))
    mhz = value * 1000 if match.group(2).upper() == "G" else value
    # A garbage brand string ("@ 999…9 GHz") must not stop the run: round(inf) raises OverflowError.
    # No processor runs at 100 GHz or more; such a figure is no clock at all.
    if not math.isfinite(mhz) or not 0 < mhz < MAX_BRAND_CLOCK_MHZ:
        return None
    return round(mhz)


# --- Intel ------------------------------------------------------------------------------------------

_INTEL_CORE_ULTRA = re.compile(r"\bCore\s+Ultra\s+([3579])\s+(\d{3}[A-Z]{0,2})\b", re.IGNORECASE)
# "i7-10510U", "i7 920" (1st gen desktop), "i5 M 520" (1st gen mobile), "i3-N305", "i5-L16G7".
_INTEL_CORE_I = re.compile(r"\bCore\s+i([3579])\s*-?\s*(?:([A-Z])\s+)?([A-Z]?\d{2,5}[A-Z0-9]*)\b", re.IGNORECASE)
_INTEL_CORE_M = re.compile(r"\bCore\s+(m[357]?)\s*-\s*(\d[A-Z]\d{2}[A-Z]?|\d{4}[A-Z]{0,2})\b", re.IGNORECASE)
_INTEL_CORE_TIER = re.compile(r"\bCore\s+([3579])\s+(\d{3}[A-Z]{0,2})\b", re.IGNORECASE)
_INTEL_CORE_LEGACY = re.compile(
    r"\bCore\s*(2\s+(?:Duo|Quad|Extreme|Solo)|Duo|Solo)\b(?:\s+([A-Z]{1,2}\d{3,4}))?", re.IGNORECASE
)
_INTEL_XEON_SCALABLE = re.compile(r"\bXeon\s+(Bronze|Silver|Gold|Platinum|Max)\s+(\d{4}[A-Z0-9]*)", re.IGNORECASE)
_INTEL_XEON_DASHED = re.compile(r"\bXeon\s+([A-Z]\d?-\d{4,5}[A-Z0-9]*)(?:\s+(v\d))?", re.IGNORECASE)
_INTEL_XEON_PLAIN = re.compile(r"\bXeon\s+([A-Z]{0,2}\d{4}[A-Z]?)(?:\s+(v\d))?\b", re.IGNORECASE)
_INTEL_XEON_PHI = re.compile(r"\bXeon\s+Phi\b", re.IGNORECASE)
_INTEL_CELERON = re.compile(r"\bCeleron\b(?:\s+(M|D)\b|\s+([A-Z]{0,2}\d{3,4}[A-Z]{0,2})\b)?", re.IGNORECASE)
_INTEL_PENTIUM = re.compile(
    r"\bPentium\b(?:\s+(?:Gold|Silver)\b)?"
    r"(?:\s+([A-Z]{0,2}\d{3,4}[A-Z]{0,2})\b|\s+(4|D|M|III|II|Pro|Dual)\b(?:\s+([A-Z]{1,2}\d{4})\b)?)?",
    re.IGNORECASE,
)
_INTEL_ATOM = re.compile(r"\bAtom\b(?:\s+(x[3-7]-?[A-Z]?\d{3,4}[A-Z]{0,2}|[A-Z]{0,2}\d{3,4}[A-Z]?)\b)?", re.IGNORECASE)
_INTEL_HINT = re.compile(r"\b(?:Intel|Xeon|Celeron|Pentium|Atom)\b", re.IGNORECASE)
_INTEL_PROCESSOR = re.compile(r"^(?:Genuine\s+)?Intel\s+(?:Processor\s+)?([NU]\d{2,3}E?|300T?)$", re.IGNORECASE)


def intel_core_generation(number: str) -> int | None:
    """The Core generation encoded in a Core i/m model number (without suffix letters).

    3 digits → 1st gen (``i5-520M``); 4 digits starting 2–9 → that digit (``i5-8250U`` → 8); 4 digits
    starting 1 → the first two (``i5-1035G1`` → 10, ``i7-1365U`` → 13); 5 digits → the first two
    (``i7-10510U`` → 10, ``i9-14900K`` → 14). Core m ``7Y30``-style numbers carry the generation first.
    """
    digits = re.match(r"\d+", number)
    if digits is None:
        return None
    value = digits.group(0)
    if len(value) == 1:
        # Core m "7Y30": one digit, a letter, then the SKU.
        return int(value)
    if len(value) == 3:
        return 1
    if len(value) == 4:
        return int(value[:2]) if value[0] == "1" else int(value[0])
    if len(value) == 5:
        return int(value[:2])
    return None


def _parse_intel(text: str) -> tuple[str, str, int | None] | None:
    """(model key, family, Core generation) of an Intel brand string, or None when it is not Intel."""
    if m := _INTEL_CORE_ULTRA.search(text):
        return f"Core Ultra {m.group(1)} {m.group(2).upper()}", f"Core Ultra {m.group(1)}", None
    if m := _INTEL_CORE_I.search(text):
        tier, letter, number = m.group(1), m.group(2), m.group(3).upper()
        suffix = letter.upper() if letter else ""
        generation = intel_core_generation(number) if number[0].isdigit() else None
        return f"Core i{tier}-{number}{suffix}", f"Core i{tier}", generation
    if m := _INTEL_CORE_M.search(text):
        tier = m.group(1)
        tier = "M" if tier.upper() == "M" else tier.lower()
        number = m.group(2).upper()
        return f"Core {tier}-{number}", f"Core {tier}", intel_core_generation(number)
    if m := _INTEL_CORE_TIER.search(text):
        return f"Core {m.group(1)} {m.group(2).upper()}", f"Core {m.group(1)}", None
    if m := _INTEL_CORE_LEGACY.search(text):
        name = _SPACES.sub(" ", m.group(1)).title()
        number = f" {m.group(2).upper()}" if m.group(2) else ""
        if name.startswith("2"):
            return f"Core 2 {name[2:]}{number}", "Core 2", None
        return f"Core {name}{number}", "Core Duo/Solo", None
    if m := _INTEL_XEON_SCALABLE.search(text):
        return f"Xeon {m.group(1).title()} {m.group(2).upper()}", "Xeon", None
    for pattern in (_INTEL_XEON_DASHED, _INTEL_XEON_PLAIN):
        if m := pattern.search(text):
            version = f" {m.group(2).lower()}" if m.group(2) else ""
            number = m.group(1)
            # Xeon W-3400 style is "w7-2495X" (lower-case tier); keep it distinguishable from W-2xxx.
            number = number[0].lower() + number[1:].upper() if re.match(r"w\d-", number) else number.upper()
            return f"Xeon {number}{version}", "Xeon", None
    if _INTEL_XEON_PHI.search(text):
        return "Xeon Phi", "Xeon", None
    if m := _INTEL_CELERON.search(text):
        model = m.group(1) or m.group(2)
        return (f"Celeron {model.upper()}" if model else "Celeron"), "Celeron", None
    if m := _INTEL_PENTIUM.search(text):
        if m.group(1):
            return f"Pentium {m.group(1).upper()}", "Pentium", None
        if m.group(3):
            return f"Pentium {m.group(3).upper()}", "Pentium", None
        if m.group(2):
            return f"Pentium {m.group(2).upper() if len(m.group(2)) == 1 else m.group(2)}", "Pentium", None
        return "Pentium", "Pentium", None
    if m := _INTEL_ATOM.search(text):
        model = m.group(1)
        if model:
            model = model[0].lower() + model[1:].upper() if model[0] in "xX" else model.upper()
        return (f"Atom {model}" if model else "Atom"), "Atom", None
    if m := _INTEL_PROCESSOR.search(text):
        return f"Processor {m.group(1).upper()}", "Intel Processor", None
    return None


# --- AMD --------------------------------------------------------------------------------------------

_AMD_HINT = re.compile(r"\b(?:AMD|Ryzen|EPYC|Athlon|Phenom|Threadripper|Sempron|Turion|Opteron)\b", re.IGNORECASE)
_AMD_PREFIX = re.compile(r"^AMD\s+", re.IGNORECASE)
_AMD_RYZEN_SERIES = re.compile(r"^Ryzen (?:Threadripper )?(?:\d )?(?:PRO )?(\d)\d{3}", re.IGNORECASE)
_AMD_EPYC = re.compile(r"^EPYC \d[0-9A-Z]{2}(\d)", re.IGNORECASE)


def _parse_amd(text: str) -> tuple[str, int | None]:
    """(model key, series/generation) of an AMD brand string; the family comes from the data rules."""
    model = _AMD_PREFIX.sub("", text).strip()
    if m := _AMD_RYZEN_SERIES.match(model):
        return model, int(m.group(1))
    if m := _AMD_EPYC.match(model):
        return model, int(m.group(1))
    return model, None


# --- Qualcomm ---------------------------------------------------------------------------------------

_QUALCOMM_HINT = re.compile(r"\b(?:Snapdragon|Qualcomm|SQ[123]|QC[MS]\d{4})\b", re.IGNORECASE)
_QUALCOMM_NOISE = re.compile(r"\b(?:Qualcomm|Technologies,?\s+Inc\.?|Oryon|Kryo)\b|\s-\s|\s-$", re.IGNORECASE)


def _parse_qualcomm(text: str) -> str:
    return _SPACES.sub(" ", _QUALCOMM_NOISE.sub(" ", text)).strip(" -")


# --- judgement --------------------------------------------------------------------------------------


def _from_catalog(
    data: CpuCatalog, model: str, family: str | None, generation: int | None, clock: int | None
) -> CpuVerdict:
    # "Microsoft SQ3" is made by Qualcomm but named by Microsoft; don't print "Qualcomm Microsoft SQ3".
    name = model if model.startswith("Microsoft ") else f"{_VENDOR_NAMES[data.vendor]} {model}"
    key = model.upper()
    unknown = CpuVerdict(
        supported=None,
        vendor=data.vendor,
        family=family,
        generation=generation,
        model=model,
        reason=f"{name} is not a recognised processor model",
        matched_by=MATCHED_NONE,
        base_clock_mhz=clock,
        data_version=data.data_version,
    )
    if listed := data.unsupported_models.get(key):
        return replace(
            unknown,
            supported=False,
            reason=f"{name} is not on Microsoft's supported list ({listed.note})",
            matched_by=MATCHED_UNSUPPORTED_LIST,
        )
    if listed := data.supported_models.get(key):
        where = f" on {', '.join(listed.only_on_systems)} only" if listed.only_on_systems else ""
        return replace(
            unknown,
            supported=True,
            reason=f"{name} is on Microsoft's supported list{where} ({listed.note})",
            matched_by=MATCHED_SUPPORTED_LIST,
            only_on_systems=listed.only_on_systems,
        )
    for rule in data.family_rules:
        if rule.pattern.search(model):
            if rule.lacks_sse42_popcnt:
                reason = f"{name} ({rule.label}) lacks the SSE4.2/POPCNT instructions 24H2 requires"
            elif rule.supported:
                reason = f"{name}: {rule.label} is supported"
            else:
                reason = f"{name}: {rule.label} is not supported"
            return replace(
                unknown,
                supported=rule.supported,
                # The parser's "Core i7"/"Core Ultra 7" is more precise than the rule's family; for
                # Xeon, Celeron, Pentium and Atom the rule's ("Xeon Scalable", "Xeon W") is.
                family=family if family and family.startswith("Core") else rule.family,
                reason=reason,
                matched_by=MATCHED_FAMILY_RULE,
                lacks_sse42_popcnt=rule.lacks_sse42_popcnt,
            )
    minimum = data.core_min_generation
    if minimum is not None and generation is not None and family and family.startswith("Core "):
        gen, least = _ordinal(generation), _ordinal(minimum)
        if generation >= minimum:
            reason = f"{name} is {gen} generation Core; {least} and newer are supported"
        else:
            reason = (
                f"{name} is {gen} generation Core; only {least} generation and newer "
                "(and a few listed parts) are supported"
            )
        return replace(unknown, supported=generation >= minimum, reason=reason, matched_by=MATCHED_GENERATION)
    return unknown


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@lru_cache(maxsize=65536)
def judge_cpu(brand: str | None) -> CpuVerdict:
    """Judge one processor brand string against the Windows 11 24H2 supported-processor data."""
    if brand is None or not brand.strip():
        return CpuVerdict(
            supported=None,
            vendor=None,
            family=None,
            generation=None,
            model=None,
            reason="processor not reported",
            matched_by=MATCHED_MISSING,
        )
    clock = _brand_clock_mhz(brand)
    gen_prefix = _GEN_PREFIX.search(brand)
    text = normalise_brand(_GEN_PREFIX.sub(" ", brand))

    if _AMD_HINT.search(text):
        model, generation = _parse_amd(text)
        return _from_catalog(catalog("amd"), model, None, generation, clock)
    if parsed := _parse_intel(text):
        model, family, generation = parsed
        # The "11th Gen" prefix is Intel's own statement; it wins over the number heuristics.
        if gen_prefix is not None and family.startswith("Core i"):
            generation = int(gen_prefix.group(1))
        return _from_catalog(catalog("intel"), model, family, generation, clock)
    if _QUALCOMM_HINT.search(text):
        return _from_catalog(catalog("qualcomm"), _parse_qualcomm(text), None, None, clock)
    return CpuVerdict(
        supported=None,
        # "Intel(R) Xeon(R) CPU @ 2.20GHz" (cloud VMs) names the vendor but no model.
        vendor="intel" if _INTEL_HINT.search(text) else None,
        family=None,
        generation=None,
        model=text or None,
        reason=f"processor {brand.strip()!r} is not recognised",
        matched_by=MATCHED_NONE,
        base_clock_mhz=clock,
    )
