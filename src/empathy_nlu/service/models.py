"""The model a worker serves, and swapping it for another without a failed request.

Why a reference swap: a request takes ``holder.current`` once and answers with it to the end, so a
request in flight finishes on the model it started with. A new model is loaded and warmed up
fully aside, then assigned in one step (atomic in Python); a model that fails to load never
replaces the one serving. Workers are separate processes: the worker that loads a new model
writes it to ``model.json`` in the shared state folder, and the others follow within a second.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import EmpathyError, ServiceError

POLL_SECONDS = 0.5
WARM_UP = "I was charged twice for my card payment yesterday, can you help?"


@dataclass(frozen=True)
class LoadedModel:
    """A classifier ready to answer, where it came from and a short id of its manifest."""

    classifier: object
    path: str
    model_id: str
    generation: int

    def describe(self) -> dict:
        return {"path": self.path, "model_id": self.model_id, "generation": self.generation}


def load_model(path: str | None, generation: int) -> LoadedModel:
    """Load and warm up the model at ``path`` (None: the bundled default); its errors pass through."""
    from ..classifier import Classifier, default_model_path

    directory = Path(path) if path else default_model_path()
    classifier = Classifier.load(directory)
    classifier.predict(WARM_UP, reference_time="2026-01-01T00:00:00Z")  # first-call set-up, off the clock
    digest = hashlib.sha256((directory / "manifest.json").read_bytes()).hexdigest()[:12]
    return LoadedModel(classifier, str(directory), digest, generation)


class ModelHolder:
    """The current model of this worker; ``swap`` replaces it, ``follow`` keeps up with the others."""

    def __init__(self, path: str | None, state_dir: str | None) -> None:
        self.pointer = Path(state_dir) / "model.json" if state_dir else None
        shared = self._read_pointer()
        self.current = load_model(shared["path"] if shared else path, shared["generation"] if shared else 0)
        self._swap_lock = threading.Lock()
        self._stop = threading.Event()
        self._failed_generation = -1

    def swap(self, path: str) -> LoadedModel:
        """Load ``path`` fully, then serve it here and tell the other workers; E707 leaves the old one."""
        if not isinstance(path, str) or not path.strip():
            raise ServiceError('the body must be {"path": "/model/directory"}.', "E709", 422)
        with self._swap_lock, self._pointer_lock():
            generation = max(self.current.generation, (self._read_pointer() or {}).get("generation", 0)) + 1
            try:
                loaded = load_model(path, generation)
            except EmpathyError as exc:
                raise ServiceError(
                    f"the model at {path} did not load, so {self.current.path} keeps serving: {exc}",
                    "E707",
                    422,
                ) from exc
            self._write_pointer(loaded)
            self.current = loaded
        return loaded

    def reload(self) -> LoadedModel:
        """Load the current model's directory again (SIGHUP: a model retrained in place)."""
        return self.swap(self.current.path)

    # -- following the other workers -----------------------------------------------------------------
    def follow(self) -> None:
        """Start a daemon thread that loads what another worker swapped in."""
        if self.pointer is not None:
            threading.Thread(target=self._follow, name="empathy-model-follow", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _follow(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            shared = self._read_pointer()
            generation = shared["generation"] if shared else -1
            if generation <= self.current.generation or generation == self._failed_generation:
                continue
            with self._swap_lock:
                try:
                    self.current = load_model(shared["path"], generation)
                except (EmpathyError, OSError):  # changed on disk since the swapping worker checked it
                    self._failed_generation = generation

    # -- the shared pointer ------------------------------------------------------------------------------
    def _read_pointer(self) -> dict | None:
        if self.pointer is None:
            return None
        try:
            data = json.loads(self.pointer.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and "generation" in data else None

    def _write_pointer(self, loaded: LoadedModel) -> None:
        if self.pointer is None:
            return
        tmp = self.pointer.with_name(f".model.{os.getpid()}.{time.monotonic_ns()}")
        tmp.write_text(json.dumps(loaded.describe()), "utf-8")
        os.replace(tmp, self.pointer)

    @contextlib.contextmanager
    def _pointer_lock(self):
        """Two workers swapping at once take turns, so generations never collide."""
        if self.pointer is None:
            yield
            return
        with open(self.pointer.with_name("model.lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
