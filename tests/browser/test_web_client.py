"""The reference web client (web/) in a real headless Chromium, against the local stack.

Starts `python -m local.stack` on a free port (as tests/e2e does), then runs the Node test
tests/browser/web_client.test.mjs, which drives Debian's /usr/bin/chromium with playwright-core:
a mentee filters the directory, opens a profile, books and pays, sees the confirmation and the
session in "my sessions"; another user in a second browser context cannot take the same slot; a
declined card shows the error and frees the slot; a third context sees a slot greyed out live
(WebSocket) when another holds it and freed on release; the checkout shows the cancellation policy
before payment and "my sessions" the refund before and after a cancel; a mentor sees the booking,
the inbox and edits availability; a new mentor sets a weekly schedule and connects an ICS feed
served on 127.0.0.1 (status ok, then error when it breaks). Screenshots of each step go to test-artifacts/screenshots/; any console error fails.

Skipped only when Chromium is not installed (`.ci/run` installs Debian's `chromium`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.support import local_stack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
JOURNEY = ROOT / "tests" / "browser" / "web_client.test.mjs"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
JOURNEY_TIMEOUT_SECONDS = 300

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,  # it starts the local stack, so `make test-fast` leaves it out too
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Chromium is not installed at {CHROMIUM}: `apt-get install -y chromium` (what .ci/run does)",
    ),
]


@pytest.fixture(scope="module")
def stack_url(tmp_path_factory):
    running = local_stack.start(tmp_path_factory.mktemp("browser-stack"), "--no-schedules")
    yield running.base_url, running.log_path
    local_stack.stop(running.process)


def test_the_client_is_served_at_app(stack_url):
    url, _ = stack_url
    redirect = requests.get(f"{url}/app", allow_redirects=False, timeout=10)
    assert (redirect.status_code, redirect.headers["Location"]) == (301, "/app/")
    page = requests.get(f"{url}/app/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<script type="module" src="js/app.js">' in page.text
    script = requests.get(f"{url}/app/js/app.js", timeout=10)
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert requests.get(f"{url}/app/config.json", timeout=10).json()["apiUrl"] == ""
    for outside in ("/app/README.md", "/app/%2e%2e/template.yaml", "/app/js/../../template.yaml"):
        assert requests.get(f"{url}{outside}", timeout=10).status_code == 404, outside
    users = requests.get(f"{url}/_local/users", timeout=10).json()["users"]
    assert {"mentee", "mentor"} == {user["role"] for user in users}
    assert set(users[0]) == {"sub", "email", "name", "zoneinfo", "role"}


def test_mentee_and_mentor_journeys_in_chromium(stack_url):
    url, log_path = stack_url
    node = shutil.which("node")
    assert node, "Node.js is needed to drive Chromium (playwright-core)"
    playwright = ROOT / "node_modules" / "playwright-core"
    assert playwright.is_dir(), "playwright-core is missing: run `npm ci` (make install)"
    started = time.monotonic()
    result = subprocess.run(
        [node, "--test", "--test-reporter=spec", str(JOURNEY)],
        cwd=ROOT,
        env={
            **os.environ,
            "WEB_BASE_URL": url,
            "SCREENSHOT_DIR": str(SCREENSHOTS),
            "CHROMIUM_PATH": str(CHROMIUM),
            "NO_COLOR": "1",
        },
        capture_output=True,
        text=True,
        timeout=JOURNEY_TIMEOUT_SECONDS,
    )
    seconds = time.monotonic() - started
    output = result.stdout + result.stderr
    print(output)
    print(f"browser journey: {seconds:.1f}s; screenshots in {SCREENSHOTS}")
    assert result.returncode == 0, (
        f"the browser journey failed (screenshots in {SCREENSHOTS}):\n{output[-12000:]}"
        f"\n--- local stack log ---\n{log_path.read_text()[-4000:]}"
    )
