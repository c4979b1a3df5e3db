"""The page's feedback loops in a real browser (issue 26): the causal-loop diagram, the
switch for councils under pressure and the "Cut support now" button.

Started and driven as tests/test_app_browser.py does (Debian's Chromium through
Playwright, the page's own command on a free port, skipped only without
/usr/bin/chromium). The test checks that the diagram shows every stock and link, that the
pressure links read "off" until the switch is turned on and then show their strength,
that stepping moves the stocks' values and the links' strengths, that the button cuts the
support offer at once (the diagram's value and the chart's mark), and that after Reset the
previous run stays on the pressure chart as a ghost line.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from sim.pressure import LINKS
from sim.viz.loops import ARROWS, NODES
# page_url: the page served by its own command, one server for this module (a fixture)
from test_app_browser import ARTIFACTS, _months_per_step, _open, _step, page_url  # noqa: F401


def _value(page: Any, node: str) -> str:
    return page.locator(f'.rd-loop-diagram [data-node="{node}"] .rd-value').text_content() or ""


def _link(page: Any, practice: str) -> str:
    return page.locator(f'.rd-loop-diagram [data-link="{practice}"] text').text_content() or ""


def _chart(page: Any) -> bytes:
    return page.locator(".rd-loop-chart img").screenshot()


def _wait_chart(page: Any) -> None:
    page.wait_for_function(
        "() => { const i = document.querySelector('.rd-loop-chart img');"
        " return i && i.complete && i.naturalWidth > 0; }")


def _support_pct(text: str) -> int:
    m = re.match(r"(\d+)%", text)
    assert m, text
    return int(m.group(1))


@pytest.mark.slow
def test_diagram_switch_and_cut_button(page_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open(p, page_url)
        try:
            panel = page.locator(".rd-loops")
            assert panel.get_by_text("Feedback loops").first.is_visible()
            assert page.locator(".rd-loop-diagram .rd-node").count() == len(NODES)
            assert page.locator(".rd-loop-diagram .rd-link").count() == len(ARROWS)
            _wait_chart(page)
            chart_0 = _chart(page)
            # the mechanism is off by default: its links say so
            for link in LINKS:
                assert _link(page, link.practice).endswith("off"), link.practice

            # the switch turns it on: the links show their strength (x1.00 at month 0)
            panel.get_by_text("Council under pressure (feedback on)").click()
            page.wait_for_function(
                "() => document.querySelector('.rd-loop-diagram [data-link=\"thoroughness\"]"
                " text').textContent.includes('x1.00')")
            for link in LINKS:
                assert "x1.00" in _link(page, link.practice), link.practice

            # a year on: the stocks' values and the links' strengths have moved
            in_care_0 = _value(page, "in_care")
            per_click = _months_per_step(page)
            months = per_click * -(-12 // per_click)
            _step(page, months, 0, per_click)
            assert _value(page, "in_care") != in_care_0
            moved = [link.practice for link in LINKS if "x1.00" not in _link(page, link.practice)]
            assert moved, [_link(page, link.practice) for link in LINKS]

            # the shock: the support offer is cut at once, and the chart marks it
            _wait_chart(page)
            chart_before = _chart(page)
            support_before = _support_pct(_value(page, "support"))
            panel.get_by_role("button", name=re.compile("Cut support now")).click()
            page.wait_for_function(
                "(before) => { const t = document.querySelector("
                "'.rd-loop-diagram [data-node=\"support\"] .rd-value').textContent;"
                " return parseInt(t) < before; }", arg=support_before)
            assert _support_pct(_value(page, "support")) <= support_before // 2 + 1
            page.wait_for_timeout(1500)
            _wait_chart(page)
            assert _chart(page) != chart_before

            # Reset: a new run at month 0, the previous one a ghost line on the chart
            page.get_by_role("button", name="Reset").click()
            page.locator(".rd-counts").get_by_text("Month 0", exact=True).wait_for()
            page.wait_for_timeout(1500)
            _wait_chart(page)
            assert _chart(page) != chart_0
            for link in LINKS:  # a new model starts with the mechanism off
                assert _link(page, link.practice).endswith("off")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "app_loops.png"), full_page=True)
        finally:
            browser.close()
