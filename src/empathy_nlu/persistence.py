"""Model directories: a JSON manifest, JSON component states and ``.npy`` arrays (a group of tensors,
such as a fine-tuned encoder's, in one ``.safetensors`` file). Never pickle.

Why this shape: loading a model must never execute code (``.npy`` arrays read without pickle, and
``json`` only), a tampered or truncated file must be caught before use (SHA-256 of every file in the
manifest), and a crash mid-save must never leave a half-written model in place (write a sibling
temporary directory, then rename it over the target).

Reading, with every check beyond the checksums, is ``model_files.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

import numpy as np

from .errors import ModelError
from .model_files import FORMAT_VERSION, MANIFEST, load_model_dir, read_manifest  # noqa: F401 (public)

# Leftovers of a killed save (``.<name>.tmp-<pid>-*``, ``.<name>.old-<pid>-*``) are removed by the next
# save of the same model once their process is gone, or after an hour whatever their name says.
STALE_AFTER_SECONDS = 3600.0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- saving ------------------------------------------------------------------------------------------
def save_model_dir(
    path: str | Path, manifest: dict, components: dict[str, tuple[dict, dict[str, np.ndarray]]]
) -> Path:
    """Write ``components`` (name -> (state, arrays)) and the manifest to ``path`` atomically.

    Leftovers of earlier saves of the same model that were killed are removed first.
    """
    target = Path(path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_leftovers(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        files: dict[str, str] = {}
        for name, (state, arrays) in components.items():
            state_file = staging / f"{name}.json"
            state_file.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            files[state_file.name] = ""
            groups: dict[str, dict[str, np.ndarray]] = {}
            for array_name, array in arrays.items():
                if "." in array_name:  # "<group>.<tensor>": one safetensors file per group, below
                    group, tensor = array_name.split(".", 1)
                    groups.setdefault(group, {})[tensor] = np.ascontiguousarray(array)
                    continue
                array_file = staging / f"{name}.{array_name}.npy"
                np.save(array_file, np.ascontiguousarray(array), allow_pickle=False)
                files[array_file.name] = ""
            for group, tensors in groups.items():  # e.g. the fine-tuned encoder: no pickle either
                from safetensors.numpy import save_file

                save_file(tensors, str(staging / f"{name}.{group}.safetensors"))
                files[f"{name}.{group}.safetensors"] = ""
        for file_name in files:
            with (staging / file_name).open("rb+") as handle:
                os.fsync(handle.fileno())
            files[file_name] = _sha256(staging / file_name)
        full_manifest = {
            **manifest,
            "format_version": FORMAT_VERSION,
            "components": sorted(components),
            "files": files,
        }
        (staging / MANIFEST).write_text(json.dumps(full_manifest, indent=2, ensure_ascii=False), "utf-8")
        _fsync_dir(staging)
        _replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _replace_dir(staging: Path, target: Path) -> None:
    """Swap ``staging`` into ``target``; the old model stays intact until the new one is complete."""
    if target.exists():
        if not (target / MANIFEST).exists() and any(target.iterdir()):
            raise ModelError(
                f"{target} exists and is not an empathy-nlu model; refusing to overwrite it. "
                "Choose an empty or new directory.",
                "E206",
            )
        backup = target.with_name(f".{target.name}.old-{os.getpid()}-{os.urandom(4).hex()}")
        os.replace(target, backup)
        try:
            os.replace(staging, target)
        except BaseException:
            os.replace(backup, target)
            raise
        shutil.rmtree(backup, ignore_errors=True)
    else:
        os.replace(staging, target)
    _fsync_dir(target.parent)


def _process_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this machine (POSIX only: elsewhere, never say gone)."""
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists but is not ours (PermissionError), or we cannot tell
        return False
    return False


def remove_stale_leftovers(target: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary and backup directories killed saves of ``target`` left next to it.

    A leftover is a sibling directory ``.<name>.tmp-<pid>-*`` or ``.<name>.old-<pid>-*``; it is
    stale when process ``<pid>`` is gone or it is older than ``STALE_AFTER_SECONDS`` (names written
    before the pid was in them: age only). A save still running in another process keeps its own.
    Symbolic links and files of those names are left alone. Returns what was removed.
    """
    now = time.time() if now is None else now
    removed = []
    prefixes = (f".{target.name}.tmp-", f".{target.name}.old-")
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        if prefix is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            continue
        pid = re.match(r"(\d+)(?:-|$)", entry.name[len(prefix) :])
        if now - info.st_mtime > STALE_AFTER_SECONDS or (pid is not None and _process_gone(int(pid[1]))):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary sibling and a rename: never half-written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def load_components(path: str | Path) -> tuple[dict, dict, dict]:
    """``(manifest, config, components)`` of the model directory at ``path``, each component checked.

    Each component's arrays are checked against its ``array_spec`` before its ``from_state`` sees them.
    """
    from .config import make_params
    from .pipeline.component import check_arrays
    from .pipeline.registry import ORDER, components
    from .preprocessing import PREPROCESSING_VERSION

    manifest, states = load_model_dir(path)
    if manifest.get("library") != "empathy-nlu":
        raise ModelError(f"{path} is not an empathy-nlu model.", "E202")
    if manifest.get("preprocessing_version") != PREPROCESSING_VERSION:
        raise ModelError(
            f"{path} was trained with preprocessing version {manifest.get('preprocessing_version')}, "
            f"this library uses {PREPROCESSING_VERSION}; retrain the model.",
            "E203",
        )
    known = components()
    unknown = sorted(set(states) - set(known))
    if unknown:
        raise ModelError(f"{path} has components {unknown} this library version does not know.", "E205")
    if "features" not in states or not {"intent", "multi_intent", "sentiment"} & set(states):
        raise ModelError(f"{path} lacks its featurizer or any model; it is incomplete.", "E205")
    try:
        params = make_params(manifest.get("config"))
    except Exception as exc:
        raise ModelError(f"{path} has an invalid config in its manifest: {exc}", "E202") from exc
    loaded = {}
    for name in ORDER:
        if name in states:
            state, arrays = states[name]
            check_arrays(known[name], state, arrays)
            loaded[name] = known[name].from_state(params[name], state, arrays)
    for component in loaded.values():
        component.check(loaded)
    return manifest, {name: p.to_dict() for name, p in params.items()}, loaded
