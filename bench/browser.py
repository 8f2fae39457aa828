"""Browser benchmark of the composer's live preview: from a keystroke to the updated preview on
screen, in Chromium, against gunicorn serving a cluster of 10,000 apps. See bench/README.md.

Run from the repo root:  .venv/bin/python bench/browser.py [--strict] [--quick]

It stores the mixed fleet (bench/common.py) in a fresh SQLite file, starts gunicorn as bench/load.py
does (`portplanner/gunicorn.conf.py`, DEBUG off, collected static files, 2 workers), signs a
Chromium page in through the sign-in form (Playwright driving /usr/bin/chromium with the flags of
tests/conftest.py), pastes bench/web.py's 10-port bridge app into the new-app composer and loads
it into the form. Then:

1. keystrokes, one at a time: a character typed at the end of the App id (or erased again), and
   the time from its keydown to the first frame painted after the preview's heading shows the new
   id (a MutationObserver, then requestAnimationFrame and a task: the frame is on screen);
2. a burst: 20 characters typed into the command at 25 ms apart (a fast typist), and the
   number of preview requests the page sends for it, once the preview shows the last of them.

Targets: keystroke to screen median <= 120 ms; the burst <= 3 preview requests (no request per
keystroke). A quick run (200 apps, 4 keystrokes, a burst of 6) judges nothing.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import common
import load

CHROMIUM = Path("/usr/bin/chromium")  # tests/conftest.py's
KEYSTROKE_TARGET_MS = 120.0
BURST_TARGET = 3  # preview requests for one burst of fast typing
BURST_DELAY_MS = 25  # between the burst's keystrokes
WORKERS = 2
VIEWPORT = {"width": 1366, "height": 768}


@dataclass(frozen=True)
class Scale:
    fleet: int
    keystrokes: int
    burst: int


FULL = Scale(fleet=10_000, keystrokes=40, burst=20)
QUICK = Scale(fleet=200, keystrokes=4, burst=5)

# Installed in the page once: the keydown of a keystroke the benchmark arms, and the frame after the
# preview's heading first shows what was typed.
PROBE = """() => {
  window.probe = {armed: false, expect: null, t0: null, t1: null};
  document.addEventListener("keydown", () => {
    if (window.probe.armed) { window.probe.armed = false; window.probe.t0 = performance.now(); }
  }, true);
  const seen = () => {
    const p = window.probe;
    if (p.t0 === null || p.t1 !== null || p.expect === null) return;
    const title = document.getElementById("preview-title");
    if (title && title.firstChild && title.firstChild.textContent.trim() === p.expect) {
      p.expect = null;
      requestAnimationFrame(() => setTimeout(() => { p.t1 = performance.now(); }));
    }
  };
  new MutationObserver(seen).observe(document.body, {childList: true, subtree: true,
                                                      characterData: true});
}"""


def chromium_args() -> list[str]:
    """The flags the browser tests start Chromium with (tests/conftest.py), one source of truth.
    Django must be set up: the module imports the models."""
    sys.path.insert(0, str(common.ROOT))
    from tests.conftest import CHROMIUM_ARGS

    return CHROMIUM_ARGS


def keystroke(page, key: str, expected: str) -> float:
    """Milliseconds from the keydown of ``key`` (pressed in the focused field) to the first frame
    painted after the preview's heading reads ``expected``."""
    page.evaluate(
        "(e) => Object.assign(window.probe, {armed: true, expect: e, t0: null, t1: null})", expected
    )
    page.keyboard.press(key)
    page.wait_for_function("() => window.probe.t1 !== null", timeout=10_000)
    return page.evaluate("() => window.probe.t1 - window.probe.t0")


def run(port: int, scale: Scale, cluster: str) -> dict:
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    app = common.preview_app()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=chromium_args())
        page = browser.new_context(viewport=VIEWPORT).new_page()
        # Signed in as a user would: the sign-in form (bench/load.py posts the same).
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", load.USER)
        page.fill("#id_password", load.PASSWORD)
        page.click("form [type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"{base}/clusters/{cluster}/apps/new/")
        page.fill("#id_json", json.dumps(app))
        page.get_by_role("button", name="Load into form").click()
        page.wait_for_function("() => document.querySelectorAll('.port-row').length === 10")
        page.evaluate(PROBE)
        page.wait_for_load_state("networkidle")

        app_id = page.locator("#id_app_id")
        app_id.click()
        page.keyboard.press("End")
        times = []
        for i in range(scale.keystrokes):
            typed = i % 2 == 0  # type a character, then erase it: the id stays valid
            times.append(
                keystroke(page, "a" if typed else "Backspace", app["id"] + ("a" if typed else ""))
            )
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)  # the next keystroke comes after a pause

        previews = []
        page.on("request", lambda r: previews.append(r) if r.url.endswith("/preview/") else None)
        cmd = page.locator("#id_cmd")
        cmd.click()
        # The command is a wrapping textarea: End would stop at the end of a visual line.
        page.keyboard.press("Control+End")
        burst = "".join(chr(ord("a") + i % 26) for i in range(scale.burst))
        started = time.perf_counter()
        page.keyboard.type(" " + burst, delay=BURST_DELAY_MS)
        typed_ms = (time.perf_counter() - started) * 1000
        last = json.dumps(app["cmd"] + " " + burst)[1:-1]
        page.wait_for_function(
            "(t) => document.getElementById('normalized-json').textContent.includes(t)", arg=last
        )
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        browser_version = browser.version
        browser.close()
    return {
        "times": times,
        "previews": len(previews),
        "typed_ms": typed_ms,
        "browser": browser_version,
    }


def main() -> int:
    parser = common.arguments(__doc__)
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    if not CHROMIUM.exists():
        # As the browser tests do: skipped where there is no Chromium, unless it is required.
        print(f"bench/browser.py: skipped, Chromium not found at {CHROMIUM}")
        return 1 if os.environ.get("REQUIRE_BROWSER") == "1" else 0
    common.setup_django()
    common.migrate(static=True)
    from django.contrib.auth import get_user_model
    from django.db import connections

    from portplanner.models import Cluster

    cluster = Cluster.objects.create(name="bench")
    get_user_model().objects.create_superuser(load.USER, password=load.PASSWORD)
    common.load_fleet(cluster, common.generate_fleet(scale.fleet, common.GAP_CHANCE))
    fleet = common.describe_fleet(cluster)
    connections.close_all()  # the server's workers take the database from here

    port = load.free_port()
    server = load.start_server(WORKERS, port)
    try:
        load.wait_ready(port, server)
        seen = run(port, scale, cluster.name)
    finally:
        load.stop_server(server)

    verdicts = common.Verdicts(args.quick)
    times = seen["times"]
    median, p95 = statistics.median(times), common.p95(times)
    print(
        f"Port Planner browser benchmark: Chromium {seen['browser']}, gunicorn with {WORKERS} "
        f"workers, SQLite (a fresh file), Python {platform.python_version()}"
    )
    print(f"Fleet: {fleet}")
    if args.quick:
        print(common.QUICK_BANNER)
    print(
        f"\nKeystroke to preview on screen: {len(times)} keystrokes in the App id of a 10-port "
        "bridge app, one at a time"
    )
    print(
        f"  median {median:6.1f} ms   p95 {p95:6.1f} ms   min {min(times):6.1f} ms   "
        f"max {max(times):6.1f} ms"
    )
    print(
        f"  median <= {KEYSTROKE_TARGET_MS:.0f} ms: {verdicts.judge(median <= KEYSTROKE_TARGET_MS)}"
    )
    print(
        f"\nBurst: {scale.burst + 1} characters typed into the command {BURST_DELAY_MS} ms apart "
        f"(took {seen['typed_ms']:.0f} ms): {seen['previews']} preview requests"
    )
    print(f"  <= {BURST_TARGET} requests: {verdicts.judge(seen['previews'] <= BURST_TARGET)}")
    print(f"overall: {verdicts.overall()}")
    return verdicts.exit_code(args.strict)


if __name__ == "__main__":
    sys.exit(main())
