"""``complaintd web`` behind a reverse proxy on the same machine: X-Forwarded-For names the client
only when the proxy (127.0.0.1) sends it, so the rate limit counts each real client, and a
client that connects from elsewhere cannot change its address by writing that header — even
with uvicorn's FORWARDED_ALLOW_IPS=* left in the environment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e import running, wait_until, write_config
from tests.servers import LOOPBACK, free_port

ELSEWHERE = "127.0.0.2"
"""Another loopback address: a client that is not the proxy."""


@pytest.fixture
def url(tmp_path: Path, make_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    config = write_config(tmp_path / "complaintd.toml", make_settings(desk={"web_url": base}))
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # inherited by the process started below
    with running(config, "web", "--host", LOOPBACK, "--port", str(port), name="web") as process:

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/health", timeout=1, trust_env=False).text == "ok"
            except httpx.TransportError:
                return False

        wait_until(healthy, 30, "complaintd web's /health", process, interval=0.1)
        yield base


def _submit(client: httpx.Client, n: int, forwarded_for: str) -> int:
    """GET the form and POST it (a new e-mail address each time) as ``forwarded_for``."""
    page = client.get("/?lang=en")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)[1]
    data = {
        "name": "Ana García",
        "email": f"owner{n}@owner.example",
        "description": "Water is dripping from the bathroom ceiling since Monday.",
        "consent": "yes",
        "csrf": token,
    }
    response = client.post("/submit?lang=en", data=data, headers={"X-Forwarded-For": forwarded_for})
    return response.status_code


def _client(url: str, local_address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=local_address)
    return httpx.Client(base_url=url, transport=transport, trust_env=False, timeout=10)


def test_the_proxy_names_the_client_and_nobody_else_does(url):
    with _client(url, LOOPBACK) as proxy:
        assert [_submit(proxy, n, "203.0.113.1") for n in range(10)] == [200] * 10
        assert _submit(proxy, 10, "203.0.113.1") == 429  # that client's ten
        assert _submit(proxy, 11, "203.0.113.2") == 200  # another client behind the proxy
    with _client(url, ELSEWHERE) as direct:
        codes = [_submit(direct, 20 + n, f"198.51.100.{n}") for n in range(11)]
        assert codes == [200] * 10 + [429], "a header from a client names nobody"
