"""Who may write: named bearer tokens from ``PEERKG_TOKENS`` or the file named by ``PEERKG_TOKENS_FILE``.

Both hold ``name:token`` entries (comma-separated in the variable, one per line in the file, ``#`` starts a
comment). Only SHA-256 digests of the tokens are kept, compared in constant time; no token is ever logged
or echoed. With no token configured, writes are off.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import Refused, Unauthorized, UserInputError

TOKENS = "PEERKG_TOKENS"
TOKENS_FILE = "PEERKG_TOKENS_FILE"


@dataclass(frozen=True)
class Tokens:
    digests: dict[str, bytes]  # curator name → SHA-256 of its token

    @property
    def writes_enabled(self) -> bool:
        return bool(self.digests)

    def curator(self, authorization: str | None) -> str:
        """The name of the curator whose token is in an ``Authorization`` header, or an error to answer."""
        if not self.writes_enabled:
            raise Refused(f"writes are switched off on this server: set {TOKENS} or {TOKENS_FILE} to allow curators")
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("this request writes to the store: send 'Authorization: Bearer <token>'")
        digest = hashlib.sha256(token.strip().encode()).digest()
        matches = [name for name, known in self.digests.items() if hmac.compare_digest(known, digest)]
        if not matches:
            raise Unauthorized("the bearer token is not one of this server's curator tokens", error="invalid_token")
        return matches[0]


def load(environ=os.environ) -> Tokens:
    entries = [e for e in environ.get(TOKENS, "").split(",") if e.strip()]
    source = TOKENS
    if environ.get(TOKENS_FILE):
        path = Path(environ[TOKENS_FILE])
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as problem:
            raise UserInputError(f"{TOKENS_FILE}={path}: cannot read it ({problem.strerror})") from None
        entries += [line.split("#", 1)[0] for line in lines]
        source = str(path)
    digests = {}
    for number, entry in enumerate(entries, 1):
        if not entry.strip():
            continue
        name, colon, token = entry.strip().partition(":")
        if not colon or not name.strip() or not token.strip():
            raise UserInputError(f"{source}: entry {number} is not name:token")  # the entry itself stays unprinted
        digests[name.strip()] = hashlib.sha256(token.strip().encode()).digest()
    return Tokens(digests)
