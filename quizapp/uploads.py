"""Uploaded files between their preview and their confirmation, and the bounds every import is held to.

A file an organizer uploads is read and previewed; nothing is saved until they confirm. In between, it waits in
the instance folder under its SHA-256 (the token the confirmation form carries back), by kind (a bank, a unit tree,
a list of participants); files older than a day are swept at the next upload.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from flask import current_app

from quizapp.domain.banks import ImportLimits

STAGING_MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[0-9a-f]{64}")


def import_limits() -> ImportLimits:
    """The bounds of the configuration (QUIZAPP_IMPORT_MAX_BYTES, QUIZAPP_IMPORT_MAX_QUESTIONS)."""
    return ImportLimits(max_bytes=current_app.config["QUIZAPP_IMPORT_MAX_BYTES"],
                        max_questions=current_app.config["QUIZAPP_IMPORT_MAX_QUESTIONS"])


def _folder() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage(data: bytes, kind: str) -> str:
    """Keep ``data`` until it is confirmed; returns its token. Staged files of ``kind`` older than a day go."""
    folder = _folder()
    cutoff = time.time() - STAGING_MAX_AGE_SECONDS
    for old in folder.glob(f"*.{kind}"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = hashlib.sha256(data).hexdigest()
    (folder / f"{token}.{kind}").write_bytes(data)
    return token


def staged(token: str | None, kind: str) -> bytes | None:
    """The file staged under ``token`` (None: not a token, or gone)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    path = _folder() / f"{token}.{kind}"
    return path.read_bytes() if path.exists() else None


def discard(token: str | None, kind: str) -> None:
    """Forget a staged file once it is imported."""
    if _TOKEN.fullmatch(token or ""):
        (_folder() / f"{token}.{kind}").unlink(missing_ok=True)
