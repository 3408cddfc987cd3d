"""`make lab` starts a token-protected JupyterLab on loopback that serves the course, then stops."""

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.browser.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


def _get_when_up(url: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                assert response.status == 200
                return response.read().decode()
        except urllib.error.URLError as err:
            if isinstance(err, urllib.error.HTTPError) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_make_lab_serves_the_course():
    port = free_port()
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}"],
        cwd=ROOT, env={**os.environ, "OPEN_BROWSER": "False"}, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url, lines = None, []
    try:
        deadline = time.monotonic() + 300
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            lines.append(line)
            match = re.search(rf"(http://127\.0\.0\.1:{port}/lab\?token=\w+)", line)
            url = match.group(1) if match else None
        assert url, "no URL with a token was printed:\n" + "".join(lines[-40:])
        page = _get_when_up(url)
        assert "JupyterLab" in page
        # Without the token the API refuses: authentication is on.
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents", timeout=30)
            raise AssertionError("the contents API answered without a token")
        except urllib.error.HTTPError as err:
            assert err.code == 403
        tree = urllib.request.urlopen(f"{url.replace('/lab?', '/api/contents?')}", timeout=30)
        assert "01_markov_chains.ipynb" in tree.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
