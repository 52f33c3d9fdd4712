"""Render a page in headless Chromium (Debian's package) and read back the DOM and the console."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=8000", "--window-size=1400,900"]


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    assert exe, "browser tests need Chromium: apt-get install chromium (.ci/run installs it)"
    return exe


def render(page: Path, screenshot: Path | None = None, fragment: str = "") -> tuple[str, str]:
    """(DOM after scripts ran, browser log); `fragment` is appended to the page's URL (e.g. "#year=2018")."""
    with tempfile.TemporaryDirectory() as profile:
        args = [chromium(), *FLAGS, f"--user-data-dir={profile}"]
        if screenshot:
            subprocess.run(args + [f"--screenshot={screenshot}", page.resolve().as_uri()], capture_output=True,
                           timeout=120, check=False)
        done = subprocess.run(args + ["--dump-dom", page.resolve().as_uri() + fragment], capture_output=True, text=True,
                              timeout=120, check=False)
    return done.stdout, done.stderr


def console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if "CONSOLE" in line and ("Error" in line or "Uncaught" in line)]
