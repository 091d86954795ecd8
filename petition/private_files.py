"""Files only their owner may read, that appear under their name only once complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


@contextmanager
def replaced_privately(out: Path, *, force: bool = False) -> Iterator[int]:
    """The descriptor of a hidden file beside `out` (mode 0600) that takes `out`'s place when
    the block ends; whatever goes wrong in the block removes it, so `out` is never half
    written. FileExistsError if `out` exists, unless `force`. Without `force` the name is
    taken at once (O_EXCL), so no other file can appear there meanwhile and be replaced."""
    reserved, partial = False, None
    try:
        if not force:
            os.close(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            reserved = True
        fd, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
        yield fd
        os.replace(partial, out)
    except BaseException:
        _remove(partial, str(out) if reserved else None)
        raise


def _remove(*paths: str | None) -> None:
    for path in paths:
        if path is not None:
            with suppress(FileNotFoundError):
                os.unlink(path)
