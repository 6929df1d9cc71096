"""Console progress of the one-shot commands: plain lines off a terminal, a bar on one."""

from __future__ import annotations

import io

import pytest

from hub_shared.collection import IncompleteSync, check_complete
from hub_shared.progress import ConsoleProgress


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = ConsoleProgress("Ninja collection", stream=out, step=10)
    progress.update(0, "started")
    progress.update(3, "page 1")
    progress.update(4)  # neither a new message nor 10 points more: nothing
    progress.update(15)
    progress.update(100, "done")
    progress.close("1,000 devices")
    lines = out.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "Ninja collection: [  0%] started",
        "Ninja collection: [  3%] page 1",
        "Ninja collection: [ 15%] page 1",
        "Ninja collection: [100%] done",
        "Ninja collection: 1,000 devices",
    ]
    assert "\r" not in out.getvalue()


def test_a_bar_on_a_terminal() -> None:
    out = io.StringIO()
    progress = ConsoleProgress("ConnectWise collection", stream=out, tty=True)
    progress.update(40, "2025-03")
    progress.update(100, "2025-04")
    progress.close()
    text = out.getvalue()
    assert "\r" in text and "100%" in text and "2025-04" in text


def test_an_empty_inventory_needs_the_vendors_own_total_of_zero() -> None:
    check_complete("threatlocker", 0, None, 0.5, vendor_total=0)
    for total in (None, 12):
        with pytest.raises(IncompleteSync, match=r"no devices|only 0"):
            check_complete("threatlocker", 0, None, 0.5, vendor_total=total)  # fewer than said, or no total
    with pytest.raises(IncompleteSync, match="reports no total"):
        check_complete("ninja", 0, None, 0.5)
