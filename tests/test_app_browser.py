"""The educators' page in a real browser (issue 7): Debian's Chromium driven by Playwright.

The test starts the page with the documented command (``python -m sim.app``, the same
``main()`` as ``revolving-door-app``) on a free loopback port, loads it, steps the model,
moves a policy slider, resets, steps again, and checks that the counts and every chart
changed and that the slider's value reached the model. It saves a screenshot to
``test-artifacts/app_browser.png``. It never downloads a browser: it skips only when
``/usr/bin/chromium`` is absent (``.ci/run`` installs it).

``python tests/test_app_browser.py --docs`` writes ``docs/img/app_24m.png`` (the page after
24 simulated months) the same way.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
#: Flags from shared/stack.md.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
CHARTS = ("where", "door", "harm", "cost", "journeys")
# tall enough for the whole page: Solara scrolls an inner panel, so full_page screenshots
# would stop at the window's height
VIEWPORT = {"width": 1600, "height": 2150}
TREATMENT_LABEL = "who get treatment"  # part of the treatment policy slider's label


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The page's server, started with the documented command, stopped by its own id."""

    def __init__(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = ARTIFACTS / "app_server.log"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sim.app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"})

    def wait(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the page's server stopped (exit {self.proc.returncode}):\n"
                                   f"{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"no answer from {self.url} in {timeout} s:\n"
                           f"{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group this test started
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium "
                    "(apt-get install -y chromium; .ci/run installs it)")
    server = Server()
    try:
        server.wait()
        yield server.url
    finally:
        server.stop()


# ---------------------------------------------------------------------- page helpers
def _open(playwright: Any, url: str) -> tuple[Any, Any]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS,
                                         headless=True)
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(url)
    _wait_month(page, 0)
    return browser, page


def _wait_month(page: Any, month: int) -> None:
    """Wait until the page shows ``month`` and every chart image has loaded."""
    page.locator(".rd-counts").get_by_text(f"Month {month}", exact=True).wait_for()
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('.rd-chart img')];"
        f" return imgs.length === {len(CHARTS)} && "
        "imgs.every(i => i.complete && i.naturalWidth > 0); }")


def _slider(page: Any, label: str) -> Any:
    """The thumb of the sidebar slider whose label contains ``label``."""
    return page.locator(".v-input__slider").filter(has_text=label).get_by_role("slider")


def _months_per_step(page: Any) -> int:
    """Let Mesa's Step button advance several months at a time (its Render Interval
    slider, 1, 3, 5, ...): one redraw for several months keeps the test fast."""
    thumb = _slider(page, "Render Interval")
    thumb.focus()
    thumb.press("ArrowRight")
    return int(thumb.get_attribute("aria-valuenow"))


def _step(page: Any, months: int, start: int, per_click: int = 1) -> None:
    assert months % per_click == 0
    for k in range(1, months // per_click + 1):
        page.get_by_role("button", name="Step").click()
        _wait_month(page, start + k * per_click)


def _counts(page: Any) -> str:
    return page.locator(".rd-counts").inner_text()


def _charts(page: Any) -> dict[str, bytes]:
    return {name: page.locator(f".rd-chart-{name} img").screenshot() for name in CHARTS}


def _cost_after_return(counts: str) -> str:
    match = re.search(r"support after a return (£[\d,.]+(?: million)?)", counts)
    assert match, f"no support-after-return cost in the counts:\n{counts}"
    return match.group(1)


# ---------------------------------------------------------------------- the test
@pytest.mark.slow
def test_page_steps_and_policy_slider_change_charts_and_counts(page_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open(p, page_url)
        try:
            assert page.get_by_text("What this page simulates").is_visible()
            counts_0, charts_0 = _counts(page), _charts(page)
            per_click = _months_per_step(page)
            assert per_click > 1
            months = 2 * per_click

            # status quo: step, and everything moves
            _step(page, months, 0, per_click)
            counts_base, charts_base = _counts(page), _charts(page)
            assert counts_base != counts_0
            for name in ("where", "door", "harm", "cost"):
                assert charts_base[name] != charts_0[name], f"chart {name} did not change"

            # move a policy slider (treatment access) to its maximum with the keyboard
            thumb = _slider(page, TREATMENT_LABEL)
            assert thumb.count() == 1
            before = thumb.get_attribute("aria-valuenow")
            thumb.focus()
            thumb.press("End")
            assert thumb.get_attribute("aria-valuenow") == "100" != before
            assert "treatment for 100%" not in page.locator("body").inner_text()

            # Reset builds a new model with the slider's value; step it as far
            page.get_by_role("button", name="Reset").click()
            _wait_month(page, 0)
            page.get_by_text("treatment for 100% of families").wait_for()
            counts_p0 = _counts(page)
            _step(page, months, 0, per_click)
            counts_policy, charts_policy = _counts(page), _charts(page)
            assert counts_policy != counts_p0
            # same seed, same children: the policy shows in the cost of support after return
            assert _cost_after_return(counts_policy) != _cost_after_return(counts_base)
            # the previous run is drawn for comparison, so these charts differ too
            for name in ("where", "cost"):
                assert charts_policy[name] != charts_base[name], f"chart {name} unchanged"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "app_browser.png"), full_page=True)
        finally:
            browser.close()


@pytest.mark.slow
def test_the_page_title_slider_values_and_mesas_controls(page_url: str) -> None:
    """Issue 25: the tab carries the project's title; every slider shows its value beside
    it, inside the sidebar, and the value follows the slider; Mesa's "Use Threads" is
    hidden and its two intervals are explained; the server started without a warning."""
    from playwright.sync_api import sync_playwright

    from sim.app import TITLE

    with sync_playwright() as p:
        browser, page = _open(p, page_url)
        try:
            assert page.title() == TITLE
            sliders = page.locator(".v-navigation-drawer .v-input__slider")
            assert sliders.count() >= 10  # Mesa's two intervals and the model's sliders
            drawer = page.locator(".v-navigation-drawer").bounding_box()
            for i in range(sliders.count()):
                s = sliders.nth(i)
                label = s.locator(".v-label").inner_text()
                shown = s.locator("input").first
                assert shown.is_visible(), label
                assert shown.get_attribute("value") == \
                    s.get_by_role("slider").get_attribute("aria-valuenow"), label
                box = shown.bounding_box()
                assert box["x"] + box["width"] <= drawer["x"] + drawer["width"], label
            # the values shown are the ones the run was made with ("This run" paragraph)
            this_run = page.get_by_text("This run (seed").locator("xpath=..").inner_text()
            share = re.search(r"treatment for (\d+)% of families", this_run)
            thorough = re.search(r"thoroughness ([\d.]+)", this_run)
            assert share and thorough, this_run
            assert _slider(page, TREATMENT_LABEL).get_attribute("aria-valuenow") == \
                share.group(1)
            assert float(_slider(page, "how thoroughly").get_attribute("aria-valuenow")) == \
                float(thorough.group(1))
            thumb = _slider(page, TREATMENT_LABEL)
            shown = page.locator(".v-input__slider").filter(has_text=TREATMENT_LABEL) \
                .locator("input").first
            thumb.focus()
            thumb.press("End")
            page.wait_for_function("(el) => el.value === '100'", arg=shown.element_handle())
            assert not page.get_by_text("Use Threads").is_visible()
            text = page.locator("body").inner_text()
            assert "Play Interval" in text and "Render Interval" in text  # still there
            assert "is how many months one Step" in text  # and explained on the page
        finally:
            browser.close()
    log = (ARTIFACTS / "app_server.log").read_text()
    assert "Warning" not in log and "warn" not in log.lower(), log


def test_without_the_viz_extra_the_command_says_so_in_one_line() -> None:
    """Solara missing (as without the [viz] extra): one line naming the extra, exit 2, no
    traceback."""
    code = ("import sys; sys.modules['solara'] = None; sys.argv = ['revolving-door-app']; "
            "import sim.app")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "[viz]" in res.stderr and "Traceback" not in res.stderr


def docs_screenshot(path: Path = ROOT / "docs" / "img" / "app_24m.png",
                    months: int = 24) -> None:
    """Write the docs' screenshot: the page, default settings, after ``months`` months,
    following the children who moved most."""
    from playwright.sync_api import sync_playwright

    server = Server()
    try:
        server.wait()
        with sync_playwright() as p:
            browser, page = _open(p, server.url)
            try:
                _step(page, months, 0)
                page.get_by_role("button", name="Moved most since month 0").click()
                page.wait_for_timeout(3000)  # the journeys chart redraws
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path), full_page=True)
            finally:
                browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    if "--docs" in sys.argv[1:]:
        docs_screenshot()
        print("wrote docs/img/app_24m.png")
    else:
        sys.exit(pytest.main([__file__, "-v"]))
