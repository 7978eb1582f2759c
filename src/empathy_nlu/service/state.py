"""One worker's state: its keys, its model, its store and its metrics, set up before it serves.

Why a lifespan: uvicorn runs it before the worker accepts a request, so the model is loaded and
warm, the store open and the keys read by the time ``/health/ready`` says ready; a worker that
cannot load them fails at start, where the supervisor reports it, not on a customer's request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

from ..errors import ServiceError
from .auth import KeyRing, read_keys
from .metrics import Metrics
from .models import ModelHolder
from .settings import Settings

log = logging.getLogger("empathy_nlu.service")


class ServiceState:
    """What every route reads: ``keys`` (None without auth), ``models``, ``store`` (or None), ``metrics``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys: KeyRing | None = None
        self.models: ModelHolder | None = None
        self.store = None
        self.metrics: Metrics | None = None

    def start(self) -> None:
        settings = self.settings
        self.keys = None if settings.no_auth else KeyRing(read_keys(settings.keys))
        self.metrics = Metrics()
        self.models = ModelHolder(settings.model, settings.state_dir)
        self.models.follow()
        if settings.store:
            from ..store import open_store

            privacy = self.models.current.classifier.pipeline.config.get("privacy")
            self.store = open_store(settings.store, privacy=privacy)

    def stop(self) -> None:
        if self.models is not None:
            self.models.stop()
        if self.store is not None:
            with contextlib.suppress(Exception):  # closing at exit: nothing left to tell
                self.store.close()

    def require_store(self):
        if self.store is None:
            raise ServiceError("this route needs a conversation store; start with --store URL.", "E710", 409)
        return self.store

    def store_ready(self) -> bool:
        return self.store is None or bool(self.store.ping())

    @contextlib.asynccontextmanager
    async def lifespan(self, app):
        self.start()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
            loop.add_signal_handler(signal.SIGHUP, self._reload_soon, loop)
        log.info("worker %d serving model %s", os.getpid(), self.models.current.describe())
        try:
            yield
        finally:
            self.stop()

    def _reload_soon(self, loop) -> None:
        """SIGHUP in a single-process service: keys and model read again, off the event loop (with
        several workers uvicorn's supervisor replaces them instead)."""
        loop.run_in_executor(None, self._reload)

    def _reload(self) -> None:
        """The keys file and the model directory, read again; either failing keeps what serves."""
        try:
            if self.keys is not None:
                self.keys = KeyRing(read_keys(self.settings.keys))
            log.info("SIGHUP: reloaded the keys and %s", self.models.reload().describe())
        except ServiceError as exc:
            log.error("SIGHUP: %s", exc)
