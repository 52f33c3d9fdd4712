"""A real Oxigraph server for the endpoint tests: `oxigraph serve` (in the test extras) on a free loopback
port, serving the union of its graphs as the default graph, stopped when the block ends."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def oxigraph_serve(folder: Path) -> Iterator[str]:
    """The server's base URL (queries at /query, the Graph Store Protocol at /store)."""
    exe = shutil.which("oxigraph")
    assert exe, "the endpoint tests need the `oxigraph` server (pip install oxigraph; in the test extras)"
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1)
                break
            except OSError:
                assert proc.poll() is None, "oxigraph serve stopped"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
