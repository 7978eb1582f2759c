"""Model directories: a JSON manifest, JSON component states and ``.npy`` arrays. Never pickle.

Why this shape: loading a model must never execute code (``.npy`` arrays read without pickle, and
``json`` only), a tampered or truncated file must be caught before use (SHA-256 of every file in the
manifest), and a crash mid-save must never leave a half-written model in place (write a sibling
temporary directory, then rename it over the target).

A checksum only says a file is the one the manifest lists; someone who edits a file can recompute it.
So loading also checks what every file holds (``docs/model_files.md`` lists each check with its code):
only regular files with plain names inside the directory (no symbolic links); JSON of bounded size and
depth whose numbers are all finite; and, per component, arrays of exactly the dtype, shape and value
range it declares (``Component.array_spec``, checked by ``pipeline.component.check_arrays``).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError

FORMAT_VERSION = 2  # 2: one component per registered name, states from the component contract
MANIFEST = "manifest.json"

# Limits, measured on the bundled model and the benchmark models (docs/model_files.md):
MAX_MANIFEST_BYTES = 2_000_000  # largest seen ~10 kB (CLINC150: 151 labels); the default model's 5.8 kB
MAX_STATE_BYTES = 64_000_000  # largest seen 1.2 MB (context_intent.json of the SGD dialogue model)
MAX_JSON_DEPTH = 32  # deepest seen 7 (cues.json)
MAX_JSON_FLOAT = 1e12  # a larger saved number is no setting of ours; its products overflow float32
MAX_JSON_INT = 2**53  # every count fits; larger ones lose precision as floats
# Leftovers of a killed save (``.<name>.tmp-<pid>-*``, ``.<name>.old-<pid>-*``) are removed by the next
# save of the same model once their process is gone, or after an hour whatever their name says.
STALE_AFTER_SECONDS = 3600.0

FILE_NAME = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?\.(json|npy)")
SHA256 = re.compile(r"[0-9a-f]{64}")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # a JSON string literal, escapes included
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


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


# -- reading, with every check -----------------------------------------------------------------------
class _BadNumber(ValueError):
    """A JSON number outside what a model file may hold (E232)."""


def _float(text: str) -> float:
    value = float(text)
    if -MAX_JSON_FLOAT <= value <= MAX_JSON_FLOAT:  # False for NaN too
        return value
    raise _BadNumber(f"the number {text[:40]} is not finite or beyond {MAX_JSON_FLOAT:g}")


def _int(text: str) -> int:
    if len(text) > 20 or abs(value := int(text)) > MAX_JSON_INT:
        raise _BadNumber(f"the integer {text[:40]} is beyond 2**53")
    return value


def _constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a number a model file may hold")


def json_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside string literals, found without recursion."""
    skeleton = np.frombuffer(_STRING.sub("", text).encode("utf-8"), dtype=np.uint8)
    steps = np.zeros(len(skeleton), dtype=np.int32)
    steps[(skeleton == ord("[")) | (skeleton == ord("{"))] = 1
    steps[(skeleton == ord("]")) | (skeleton == ord("}"))] = -1
    return int(np.cumsum(steps).max()) if len(steps) else 0


def parse_json(data: bytes, where: str, damaged_code: str = "E202") -> Any:
    """The JSON of a model file: UTF-8, at most ``MAX_JSON_DEPTH`` deep, every number finite and bounded.

    The depth is measured before parsing, so a document nested 100,000 levels deep is refused with
    E231 instead of exhausting the parser's recursion. Not UTF-8 or not JSON: ``damaged_code``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(f"{where} is not UTF-8 ({exc}); the model is damaged.", damaged_code) from exc
    # Fewer brackets than the limit cannot nest deeper (the usual case: the scan costs more than parsing).
    depth = json_depth(text) if text.count("[") + text.count("{") > MAX_JSON_DEPTH else 0
    if depth > MAX_JSON_DEPTH:
        raise ModelError(
            f"{where} nests {depth} levels deep, more than the {MAX_JSON_DEPTH} a model file may; "
            "the model is damaged or not an empathy-nlu model.",
            "E231",
        )
    try:
        return json.loads(text, parse_float=_float, parse_int=_int, parse_constant=_constant)
    except _BadNumber as exc:
        raise ModelError(f"{where}: {exc}; the model is damaged.", "E232") from exc
    except (ValueError, RecursionError) as exc:
        raise ModelError(f"{where} is not valid JSON ({exc}); the model is damaged.", damaged_code) from exc


def read_model_file(directory: Path, file_name: str, limit: int | None = None) -> bytes:
    """The bytes of ``directory/file_name``: a regular file, never through a symbolic link.

    ``lstat`` refuses a link or a FIFO before opening (opening a FIFO would block); the file is then
    opened without following links and checked again on the open descriptor, so swapping it for a
    link in between is caught too. ``limit``: refuse (E230) a larger file before reading it.
    """
    path = directory / file_name
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        raise ModelError(f"{directory} is missing {file_name}; the model is incomplete.", "E205") from None
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror}", "E205") from exc
    not_regular = ModelError(
        f"{path} is a symbolic link or not a regular file; a model directory holds only its own files. "
        "Copy the real file in, or retrain.",
        "E233",
    )
    if not stat.S_ISREG(before.st_mode):
        raise not_regular
    try:
        fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK)
    except OSError as exc:
        raise not_regular from exc
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise not_regular
        if limit is None:
            data = handle.read()
        else:  # never more than limit + 1 bytes, even of a file that grows while it is read
            data = b"" if opened.st_size > limit else handle.read(limit + 1)
    if limit is not None and (opened.st_size > limit or len(data) > limit):
        raise ModelError(
            f"{path} is {max(opened.st_size, len(data)):,} bytes, more than the {limit:,} a model file of "
            "its kind may hold; the model is damaged or not an empathy-nlu model.",
            "E230",
        )
    return data


def read_manifest(path: str | Path) -> dict:
    """The manifest of the model at ``path``, checked for size, depth, numbers, file list and version.

    The directory itself may be reached through a symbolic link (``models/current -> v3`` is a
    usual way to switch models); the files inside may not.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise ModelError(f"no model directory at {directory}. Train one with `empathy-nlu train`.", "E201")
    if not os.path.lexists(directory / MANIFEST):
        raise ModelError(f"{directory} has no {MANIFEST}: it is not an empathy-nlu model.", "E201")
    manifest_file = directory / MANIFEST
    manifest = parse_json(read_model_file(directory, MANIFEST, MAX_MANIFEST_BYTES), str(manifest_file))
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
    components = manifest.get("components", [])
    if not isinstance(components, list) or not all(isinstance(c, str) for c in components):
        raise ModelError(f"{manifest_file} has no list of component names; the model is damaged.", "E202")
    for file_name, expected in manifest["files"].items():
        if not FILE_NAME.fullmatch(file_name) or file_name == MANIFEST:
            raise ModelError(
                f"{manifest_file} lists {file_name[:80]!r}, which is not a model file name "
                "(name.json or name.array.npy, letters, digits and _ only); the model is damaged.",
                "E234",
            )
        if not isinstance(expected, str) or not SHA256.fullmatch(expected):
            raise ModelError(f"{manifest_file} has no valid SHA-256 for {file_name}; damaged.", "E234")
    return manifest


def _verified(directory: Path, file_name: str, expected: str, limit: int | None = None) -> bytes:
    data = read_model_file(directory, file_name, limit)
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelError(
            f"{directory / file_name} does not match its checksum in the manifest: the file was changed or "
            "truncated. Retrain or restore the model.",
            "E205",
        )
    return data


def read_npy(data: bytes, where: str) -> np.ndarray:
    """An array from the bytes of a ``.npy`` file: never pickled objects, and exactly as long as its
    header says (a header claiming more than the file holds is refused before anything is allocated)."""
    handle = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(handle)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(handle)
        else:
            raise ValueError(f".npy format version {version} is not one np.save writes for numbers")
    except ValueError as exc:
        raise ModelError(f"cannot read {where}: {exc}", "E204") from exc
    if dtype.hasobject:
        raise ModelError(f"cannot read {where}: it holds Python objects, which are never unpickled.", "E204")
    count = math.prod(shape)
    if any(n < 0 for n in shape) or handle.tell() + count * dtype.itemsize != len(data):
        raise ModelError(f"cannot read {where}: its header says {shape} {dtype}, not its size.", "E204")
    array = np.frombuffer(data, dtype=dtype, count=count, offset=handle.tell())
    return array.reshape(shape, order="F" if fortran_order else "C").copy()


def load_model_dir(path: str | Path) -> tuple[dict, dict[str, tuple[dict, dict[str, np.ndarray]]]]:
    """Verify every file (regular, checksum, size) and read states (JSON) and arrays (no pickle).

    Each file is read once: its checksum and its contents come from the same bytes.
    """
    directory = Path(path)
    manifest = read_manifest(directory)
    files: dict[str, str] = manifest["files"]
    components: dict[str, tuple[dict, dict[str, np.ndarray]]] = {}
    for name in manifest.get("components", []):
        state_file = f"{name}.json"
        if state_file not in files:
            raise ModelError(f"{directory} is missing {state_file}; the model is incomplete.", "E205")
        where = f"component {name!r} of {directory}"
        data = _verified(directory, state_file, files[state_file], MAX_STATE_BYTES)
        state = parse_json(data, f"{directory / state_file}", "E204")
        arrays = {}
        prefix = f"{name}."
        for file_name, expected in files.items():
            if file_name.startswith(prefix) and file_name.endswith(".npy"):
                array_name = file_name[len(prefix) : -len(".npy")]
                arrays[array_name] = read_npy(_verified(directory, file_name, expected), f"{where}: {file_name}")
        components[name] = (state, arrays)
    owned = {f for name in components for f in files if f.startswith(f"{name}.")}
    for file_name in sorted(set(files) - owned):  # listed but of no component: still verified
        _verified(directory, file_name, files[file_name])
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
