"""Where scored rows go: one Parquet file written atomically, with who scored it in its metadata.

The file is written under a temporary name next to the target and renamed at the end, so a
reader (``insights``, a dashboard) never sees half a file, and an interrupted run leaves the old
output in place. The schema metadata says when and with which model the log was scored, and
which columns were the text, customer, timestamp, channel and id.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..errors import LogError
from .columns import METADATA_PREFIX, Columns

SIDECAR = "_empathy_nlu.json"  # the metadata of a Spark output folder (readers skip "_" files)


def model_id(manifest: dict) -> str:
    """A short id of a model: the hash of its files' checksums (the same model, the same id)."""
    files = manifest.get("files")
    basis = (
        json.dumps(files, sort_keys=True)
        if files
        else json.dumps(manifest.get("training_data"), sort_keys=True)
    )
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def scoring_metadata(manifest: dict, model_path: str | None, columns: Columns, engine: str) -> dict[str, str]:
    """The key/value metadata of a scored log (keys prefixed ``empathy_nlu.``)."""
    used = {role: getattr(columns, role) for role in ("text", "customer", "timestamp", "channel", "id")}
    values = {
        "scored_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_id": model_id(manifest),
        "model_path": str(model_path) if model_path else "bundled default",
        "model_library_version": str(manifest.get("library_version", "")),
        "library_version": __version__,
        "engine": engine,
        "columns": json.dumps(used),
    }
    return {METADATA_PREFIX + key: value for key, value in values.items()}


def read_metadata(path: str | Path) -> dict[str, str]:
    """The scoring metadata of a scored log: a Parquet file's schema metadata, or the sidecar of a
    Spark output folder; keys without the ``empathy_nlu.`` prefix."""
    import pyarrow.parquet as pq

    path = Path(path)
    if path.is_dir():
        raw = json.loads((path / SIDECAR).read_text("utf-8"))
    else:
        raw = {k.decode(): v.decode() for k, v in (pq.read_schema(path).metadata or {}).items()}
    return {k[len(METADATA_PREFIX) :]: v for k, v in raw.items() if k.startswith(METADATA_PREFIX)}


def check_target(out: str | Path) -> Path:
    """``out`` as a Path if a file can be written there; E806 before any work otherwise."""
    out = Path(out)
    if out.is_dir() and not (out / SIDECAR).is_file():
        raise LogError(f"{out}: is a folder; give the path of a .parquet file for --out", "E806")
    if not out.parent.is_dir():
        raise LogError(f"{out}: the folder {out.parent} does not exist", "E806")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".probe", dir=out.parent)
    except OSError as exc:
        raise LogError(f"{out}: cannot write in {out.parent} ({exc.strerror or exc})", "E806") from None
    os.close(fd)
    os.unlink(probe)
    return out


class AtomicParquet:
    """A Parquet file written under a temporary sibling name and renamed into place by ``commit``."""

    def __init__(self, out: str | Path) -> None:
        self.out = check_target(out)
        self.temporary = self.out.parent / f".{self.out.name}.{os.getpid()}.tmp"
        self.writer = None

    def write(self, table) -> None:
        import pyarrow.parquet as pq

        try:
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.temporary, table.schema, compression="zstd")
            self.writer.write_table(table, row_group_size=65536)
        except OSError as exc:
            self.abort()
            raise LogError(f"{self.out}: cannot write the scored log ({exc})", "E806") from None

    def commit(self) -> Path:
        try:
            self.writer.close()
            self.writer = None
            replace_path(self.temporary, self.out)
        except OSError as exc:
            self.abort()
            raise LogError(f"{self.out}: cannot write the scored log ({exc})", "E806") from None
        return self.out

    def abort(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(OSError):
                self.writer.close()
            self.writer = None
        self.temporary.unlink(missing_ok=True)


def replace_path(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``, replacing a file or a folder (a Spark output) there."""
    import shutil

    if target.is_dir():
        aside = target.parent / f".{target.name}.{os.getpid()}.old"
        os.replace(target, aside)
        os.replace(source, target)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(source, target)
