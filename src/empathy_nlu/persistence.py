"""Model directories: a JSON manifest, JSON component states and ``.npy`` arrays. Never pickle.

Why this shape: loading a model must never execute code (``np.load(...,
allow_pickle=False)`` and ``json`` only), a tampered or truncated file must be
caught before use (SHA-256 of every file in the manifest), and a crash mid-save
must never leave a half-written model in place (write a sibling temporary
directory, then rename it over the target).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .errors import ModelError

FORMAT_VERSION = 2  # 2: one component per registered name, states from the component contract
MANIFEST = "manifest.json"


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


def save_model_dir(
    path: str | Path, manifest: dict, components: dict[str, tuple[dict, dict[str, np.ndarray]]]
) -> Path:
    """Write ``components`` (name -> (state, arrays)) and the manifest to ``path`` atomically."""
    target = Path(path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        files: dict[str, str] = {}
        for name, (state, arrays) in components.items():
            state_file = staging / f"{name}.json"
            state_file.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            files[state_file.name] = ""
            for array_name, array in arrays.items():
                array_file = staging / f"{name}.{array_name}.npy"
                np.save(array_file, np.ascontiguousarray(array), allow_pickle=False)
                files[array_file.name] = ""
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
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
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


def read_manifest(path: str | Path) -> dict:
    """The manifest of the model at ``path``, checked for format version."""
    directory = Path(path)
    manifest_file = directory / MANIFEST
    if not directory.is_dir():
        raise ModelError(f"no model directory at {directory}. Train one with `empathy-nlu train`.", "E201")
    if not manifest_file.is_file():
        raise ModelError(f"{directory} has no {MANIFEST}: it is not an empathy-nlu model.", "E201")
    try:
        manifest = json.loads(manifest_file.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{manifest_file} is not valid JSON ({exc}); the model is damaged.", "E202") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ModelError(f"{manifest_file} lacks the file list; the model is damaged.", "E202")
    version = manifest.get("format_version")
    if isinstance(version, int) and version < FORMAT_VERSION:
        raise ModelError(
            f"{directory} was saved by an older empathy-nlu (model format {version}); this version reads "
            f"format {FORMAT_VERSION}. Retrain it: `empathy-nlu train DATA --out {directory}`.",
            "E203",
        )
    if version != FORMAT_VERSION:
        raise ModelError(
            f"{directory} has model format version {version!r}, this library reads version "
            f"{FORMAT_VERSION}. Retrain the model with this version of empathy-nlu.",
            "E203",
        )
    return manifest


def load_model_dir(path: str | Path) -> tuple[dict, dict[str, tuple[dict, dict[str, np.ndarray]]]]:
    """Verify every file's SHA-256, then read states (JSON) and arrays (no pickle)."""
    directory = Path(path)
    manifest = read_manifest(directory)
    for file_name, expected in manifest["files"].items():
        file_path = directory / file_name
        if Path(file_name).name != file_name or not file_path.is_file():
            raise ModelError(f"{directory} is missing {file_name}; the model is incomplete.", "E205")
        if _sha256(file_path) != expected:
            raise ModelError(
                f"{file_path} does not match its checksum in the manifest: the file was changed or "
                "truncated. Retrain or restore the model.",
                "E205",
            )
    components: dict[str, tuple[dict, dict[str, np.ndarray]]] = {}
    for name in manifest.get("components", []):
        try:
            state = json.loads((directory / f"{name}.json").read_text("utf-8"))
            arrays = {}
            prefix = f"{name}."
            for file_name in manifest["files"]:
                if file_name.startswith(prefix) and file_name.endswith(".npy"):
                    array_name = file_name[len(prefix) : -len(".npy")]
                    arrays[array_name] = np.load(directory / file_name, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read component {name!r} of {directory}: {exc}", "E204") from exc
        components[name] = (state, arrays)
    return manifest, components


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
    """``(manifest, config, components)`` of the model directory at ``path``, each component checked."""
    from .config import make_params
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
    loaded = {name: known[name].from_state(params[name], *states[name]) for name in ORDER if name in states}
    for component in loaded.values():
        component.check(loaded)
    return manifest, {name: p.to_dict() for name, p in params.items()}, loaded
