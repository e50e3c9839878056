"""The client's address, read the same way by throttles, the lock-out and the share access log.

Behind a load balancer REMOTE_ADDR is the balancer's address, and X-Forwarded-For holds
the chain of addresses the request came through; only the entries the trusted proxies
appended can be believed, because a client can send any X-Forwarded-For it likes.
settings.NUM_PROXIES says how many proxies to trust (0: none, REMOTE_ADDR is the client).
DRF's throttles already read that setting, so this module asks them rather than parsing
the header a second way.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from rest_framework.throttling import BaseThrottle


def client_ip(request: Any) -> str | None:
    """The address of whoever sent the request, by the NUM_PROXIES rule; a Django or DRF request.

    None when it is not an address at all (a misconfigured proxy count can point into a
    header the client wrote), so it is never stored as one.
    """
    ident = BaseThrottle().get_ident(request)  # it reads only request.META, which both kinds have
    try:
        return str(ipaddress.ip_address(ident.strip()))
    except (AttributeError, ValueError):
        return None
