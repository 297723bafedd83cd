"""Attachment files, stored once by their SHA-256 and capped in size."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    stored: bool


class AttachmentStore:
    """A content-addressed folder: the same photo sent twice is kept once."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> StoredFile:
        """Write the bytes unless they exceed the cap; the digest is recorded either way."""
        digest = hashlib.sha256(data).hexdigest()
        if len(data) > self.max_bytes:
            return StoredFile(digest, len(data), stored=False)
        path = self.path_for(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        return StoredFile(digest, len(data), stored=True)
