"""Reading a model directory, with every check: what a checksum cannot promise.

A checksum only says a file is the one the manifest lists; someone who edits a file can recompute it.
So reading also checks what every file holds (``docs/model_files.md`` lists each check with its code):
only regular files with plain names inside the directory (no symbolic links); JSON of bounded size and
depth whose numbers are all finite; ``.npy`` arrays that are never pickled objects and exactly as long
as their header says. Per component, arrays of exactly the dtype, shape and value range it declares are
checked afterwards (``Component.array_spec``, ``pipeline.component.check_arrays``).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import stat
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

FILE_NAME = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?\.(json|npy|safetensors)")
SHA256 = re.compile(r"[0-9a-f]{64}")
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


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


def json_depth(text: str, chunk: int = 1 << 20) -> int:
    """The deepest nesting of ``[`` and ``{`` outside string literals: one linear pass, no recursion.

    numpy over chunks of ``chunk`` bytes (bounded memory), carrying from one chunk to the next the
    depth, whether a string is open and the length of a run of backslashes (a quote after an odd
    run is escaped). No regular expression: an adversarial file cannot make it backtrack.
    """
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    deepest = level = backslashes = 0
    in_string = False
    for start in range(0, len(data), chunk):
        part = data[start : start + chunk]
        quote = part == ord('"')
        is_backslash = part == ord("\\")
        if backslashes or is_backslash.any():
            positions = np.arange(len(part), dtype=np.int32)
            last_other = np.maximum.accumulate(np.where(is_backslash, -1, positions))
            # the run of backslashes ending at each byte (one reaching the chunk's start continues the carry)
            run = np.where(last_other >= 0, positions - last_other, positions + 1 + backslashes)
            quote &= np.concatenate(([backslashes], run[:-1])) % 2 == 0  # not escaped
            backslashes = int(run[-1])
        quotes = np.cumsum(quote, dtype=np.int32) + in_string
        outside = quotes % 2 == 0
        opens = ((part == ord("[")) | (part == ord("{"))) & outside
        closes = ((part == ord("]")) | (part == ord("}"))) & outside
        depth = level + np.cumsum(opens.astype(np.int32) - closes)
        deepest, level = max(deepest, int(depth.max())), int(depth[-1])
        in_string = bool(quotes[-1] % 2)
    return deepest


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
        same_file = (opened.st_dev, opened.st_ino) == (before.st_dev, before.st_ino)
        if not stat.S_ISREG(opened.st_mode) or not same_file:
            raise not_regular
        too_large = limit is not None and opened.st_size > limit
        # never more than limit + 1 bytes, even of a file that grows while it is read
        data = b"" if too_large else handle.read(-1 if limit is None else limit + 1)
    if too_large or (limit is not None and len(data) > limit):
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
                "(name.json, name.array.npy or name.group.safetensors, letters, digits and _ only); "
                "the model is damaged.",
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


def read_safetensors(data: bytes, where: str) -> dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file (a JSON header and raw numbers: nothing to execute), read
    with numpy alone; a damaged file is E218. Each tensor is then checked like any array (``array_spec``)."""
    try:
        from safetensors.numpy import load
    except ImportError as exc:
        raise ModelError(
            f"{where} holds a fine-tuned encoder; install the embeddings extra "
            "(pip install 'empathy-nlu[embeddings]') to load it.",
            "E210",
        ) from exc
    try:
        tensors = load(data)
    except Exception as exc:  # the parser's own errors: a bad header, offsets beyond the data
        raise ModelError(
            f"cannot read {where}: {exc}; the model is damaged. Retrain or restore it.", "E218"
        ) from exc
    return {name: np.array(array, copy=True) for name, array in tensors.items()}


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
                data = _verified(directory, file_name, expected)
                arrays[file_name[len(prefix) : -len(".npy")]] = read_npy(data, f"{where}: {file_name}")
            elif file_name.startswith(prefix) and file_name.endswith(".safetensors"):
                group = file_name[len(prefix) : -len(".safetensors")]
                data = _verified(directory, file_name, expected)
                tensors = read_safetensors(data, f"{where}: {file_name}")
                arrays.update({f"{group}.{tensor}": array for tensor, array in tensors.items()})
        components[name] = (state, arrays)
    owned = {f for name in components for f in files if f.startswith(f"{name}.")}
    for file_name in sorted(set(files) - owned):  # listed but of no component: still verified
        _verified(directory, file_name, files[file_name])
    return manifest, components
