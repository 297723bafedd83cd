"""``complaintd web``: the form and status page behind uvicorn, sending mail like the service."""

from __future__ import annotations

import signal

import uvicorn

from daemon.config import Settings
from daemon.service import Service
from daemon.web.app import build_app

TRUSTED_PROXIES = "127.0.0.1,::1"
"""Only a proxy on this machine may say who the client is (X-Forwarded-For): the rate limits
count per client address. Given here, so uvicorn's FORWARDED_ALLOW_IPS cannot widen it."""


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def serve(settings: Settings, host: str, port: int) -> int:
    """Run until SIGTERM/SIGINT; uvicorn finishes the requests in flight first."""
    # uvicorn raises the signal that stopped it again once it has shut down; with the default
    # SIGTERM handler that killed the process (status -15) before the dispatcher was stopped.
    signal.signal(signal.SIGTERM, _stop)
    service = Service(settings)
    service.db.migrate()
    pipeline = service.start_sending()
    try:
        uvicorn.run(
            build_app(settings, pipeline),
            host=host,
            port=port,
            proxy_headers=True,
            forwarded_allow_ips=TRUSTED_PROXIES,
            server_header=False,
            log_level=settings.log_level.lower(),
        )
    finally:
        if service.dispatch_thread is not None:
            service.dispatch_thread.stop()
    return 0
