"""What one service process needs to know, and how its workers get it.

Why an environment variable: uvicorn starts each worker as a fresh process from an import string,
so the settings travel as JSON in ``EMPATHY_NLU_SERVICE``; every worker builds the same app.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass

from ..errors import ServiceError

ENVIRONMENT = "EMPATHY_NLU_SERVICE"
LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class Settings:
    """``model``: model directory (None: the bundled default); ``store``: store URL or path (None: no
    store, so the routes that need one answer 409); ``keys``: keys file (None only with ``no_auth``);
    ``state_dir``: a folder the workers share (the current model, the metrics of every worker)."""

    model: str | None = None
    store: str | None = None
    keys: str | None = None
    no_auth: bool = False
    host: str = "127.0.0.1"
    max_body_kb: int = 1024
    max_batch: int = 256
    state_dir: str | None = None

    def check(self) -> Settings:
        """Refuse to serve without keys unless asked to, and then only on a loopback address."""
        if self.no_auth and not is_loopback(self.host):
            raise ServiceError(
                f"--no-auth is allowed only on a loopback host, not {self.host!r}; pass --keys FILE.", "E706"
            )
        if not self.no_auth and not self.keys:
            raise ServiceError(
                "no keys file: pass --keys FILE (make one with `empathy-nlu keys new NAME --scopes parse`) "
                "or, on 127.0.0.1 only, --no-auth.",
                "E706",
            )
        if self.max_body_kb < 1 or self.max_batch < 1:
            raise ServiceError("--max-body-kb and --max-batch must be at least 1.", "E700")
        return self

    def to_environment(self) -> None:
        os.environ[ENVIRONMENT] = json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> Settings:
        raw = os.environ.get(ENVIRONMENT)
        if not raw:
            raise ServiceError(
                f"{ENVIRONMENT} is not set; start the service with `empathy-nlu serve`.", "E700"
            )
        return cls(**json.loads(raw)).check()


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
