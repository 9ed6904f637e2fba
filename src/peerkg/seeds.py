"""The seed manifest and the seed files it lists, checked against seeds/SHA256SUMS."""

from __future__ import annotations

import hashlib
import importlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from .errors import SeedError


@dataclass(frozen=True)
class Seed:
    file: str
    stem: str
    part: str
    article_key: str
    states: dict
    path: Path
    reader: dict = field(default_factory=dict)  # what the reader of its kind is told besides the article key

    @property
    def parser(self) -> ModuleType:
        return importlib.import_module(f"peerkg.parsers.{self.stem}")

    def read(self) -> tuple[str, str]:
        """The seed's text and its SHA-256, failing if the bytes differ from SHA256SUMS."""
        data = self.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        expected = _checksums(self.path.parent).get(self.file)
        if expected != digest:
            raise SeedError(f"SHA-256 {digest} differs from SHA256SUMS ({expected}); restore the file from ../shared/seeds", file=str(self.path))
        return data.decode("utf-8"), digest


def manifest(seeds_dir: Path) -> list[Seed]:
    path = seeds_dir / "manifest.toml"
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8"))["seed"]
        return [
            Seed(e["file"], e["stem"], e["part"], e["article_key"], e.get("states", {}), seeds_dir / e["file"],
                 e.get("reader", {}))
            for e in entries
        ]
    except (OSError, tomllib.TOMLDecodeError) as problem:
        raise SeedError(f"cannot read the seed manifest: {problem}", file=str(path)) from None
    except KeyError as missing:
        raise SeedError(f"every [[seed]] needs file, stem, part and article_key; one lacks {missing}", file=str(path)) from None


def by_digest(seeds_dir: Path) -> dict[str, Seed]:
    """The seeds by the SHA-256 of their bytes (from SHA256SUMS): how an imported file is known to be a seed."""
    sums = _checksums(seeds_dir) if (seeds_dir / "SHA256SUMS").exists() else {}
    return {sums[seed.file]: seed for seed in manifest(seeds_dir) if seed.file in sums} if sums else {}


def _checksums(seeds_dir: Path) -> dict[str, str]:
    sums = {}
    for line in (seeds_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        sums[name.strip()] = digest
    return sums
