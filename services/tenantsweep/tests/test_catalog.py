"""The plain rules behind the routes: value parsing, what PostgreSQL could not store, the trend's
"most severe change decides", and the export's file-name header (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub_shared.bodies import parse_json
from tenantsweep.catalog import (
    MAX_JSON_DEPTH,
    InputError,
    clean_json_object,
    clean_name,
    parse_severity_filter,
)
from tenantsweep.exports.service import content_disposition, filename
from tenantsweep.insights.service import AuditCounts, trend


@pytest.mark.parametrize("raw", [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": 1e999}'])
def test_json_numbers_postgresql_cannot_store_are_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        parse_json(raw)


def test_json_values_are_parsed_as_sent() -> None:
    assert parse_json(b'\xef\xbb\xbf{"sent_by": "PowerShell"}') == {"sent_by": "PowerShell"}  # UTF-8 BOM
    assert parse_json(b'{"a": [1, 2.5, -0.0, 12345678901234567890, "\\u00e9"]}') == {
        "a": [1, 2.5, -0.0, 12345678901234567890, "é"]
    }


def test_nesting_is_limited_without_recursion() -> None:
    def nested(depth: int) -> dict[str, object]:
        value: dict[str, object] = {}
        for _ in range(depth - 1):
            value = {"x": value}
        return value

    assert clean_json_object(nested(MAX_JSON_DEPTH), "details", max_chars=10_000) is not None
    with pytest.raises(InputError, match="nested more than"):
        clean_json_object(nested(MAX_JSON_DEPTH + 1), "details", max_chars=10_000)
    with pytest.raises(InputError, match="larger than"):
        clean_json_object({"text": "x" * 200}, "details", max_chars=100)


def test_severity_filters_and_names() -> None:
    assert parse_severity_filter(" low, CRITICAL ,Low") == ("Critical", "Low")
    assert parse_severity_filter(" , ") is None
    assert parse_severity_filter(None) is None
    with pytest.raises(InputError) as problem:
        parse_severity_filter("High,Severe")
    assert problem.value.code == "INVALID_SEVERITY"
    assert clean_name("  Cafe\u0301 Ltd ", "tenant_name", max_length=50) == "Café Ltd"


def counts(**failing: int) -> AuditCounts:
    result = AuditCounts()
    for severity, number in failing.items():
        result.add(severity, number, number)
    return result


def test_the_most_severe_change_decides_the_trend() -> None:
    assert trend(counts(Critical=1, Low=9), counts(Critical=2))["direction"] == "improving"
    assert trend(counts(High=1), counts(Medium=20))["direction"] == "worsening"
    same = trend(counts(Medium=3), counts(Medium=3))
    assert (same["direction"], same["failing_change"]) == ("unchanged", 0)
    assert trend(counts(), None)["direction"] == "new"
    assert trend(None, None)["direction"] == "none"


def test_export_file_names_are_safe_header_values() -> None:
    name = filename('A/B "Co"\r\nSet-Cookie: x; y', datetime(2025, 12, 15, 23, 30, tzinfo=UTC))
    assert name == "tenantsweep_A-B_CoSet-Cookie:_x_y_20251215.csv"
    assert content_disposition(name) == f'attachment; filename="{name}"'
    assert content_disposition("tenantsweep_李雷_20251215.csv") == (
        'attachment; filename="tenantsweep__20251215.csv"; '
        "filename*=UTF-8''tenantsweep_%E6%9D%8E%E9%9B%B7_20251215.csv"
    )
