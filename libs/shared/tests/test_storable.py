"""What PostgreSQL can store: text without NUL or lone surrogates, and jsonb without NaN or Infinity."""

from __future__ import annotations

from hub_shared.storable import storable_text, unstorable_json


def test_storable_text() -> None:
    assert storable_text("café 🙂 שלום")
    assert not storable_text("a\x00b")
    assert not storable_text("\ud800")


def test_unstorable_json_names_the_first_problem_it_finds() -> None:
    assert unstorable_json({"a": [1, 2.5, "ok", {"b": None}]}) is None
    assert unstorable_json({"a": ["x\x00"]}) == "contains text that cannot be stored (NUL or an unpaired surrogate)"
    assert unstorable_json({"\ud800": 1}) == "contains a key that cannot be stored (NUL or an unpaired surrogate)"
    assert unstorable_json([float("nan")]) == "contains NaN or Infinity, which are not valid JSON numbers"
    deep: list = []
    for _ in range(40):
        deep = [deep]
    assert unstorable_json(deep, max_depth=32) == "is nested more than 32 levels deep"
    assert unstorable_json(deep) is None
