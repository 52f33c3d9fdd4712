"""Files written whole or not at all: every output, summary and digest of govkg goes through here.

A module of its own, below the store, so that the modules the store itself imports (`kg.state`,
`kg.exporting`) write their small records the same way as the store writes its exports.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: str | os.PathLike, write, count: int, sync: bool = True) -> int:
    """Write through a temporary file in the same folder, flush it to disk, then rename it into place.
    (`sync=False` skips the flush to disk: the rename still makes the write whole against a killed process.)"""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:      # name the file asked for, not the temporary one
        raise OSError(e.errno, f"cannot write here ({e.strerror})", str(path)) from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; the result should look like any other written file
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            if sync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError) and e.errno is not None:
            raise OSError(e.errno, e.strerror, str(path)) from None
        raise
    return count
