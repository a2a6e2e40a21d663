"""The web client's pure modules (web/js/format.js: prices, dollars, zones; web/js/live.js: the
live-availability socket with a fake WebSocket), tested in Node.

No browser and no stack: `make test-fast` runs these too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_client_helpers_in_node():
    node = shutil.which("node")
    assert node, "Node.js is needed for the web client's unit tests"
    result = subprocess.run(
        [node, "--test", *sorted(str(path) for path in (ROOT / "tests" / "browser" / "unit").glob("*.test.mjs"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout, result.stdout
