"""Canned queries: ``queries/*.rq`` files whose ``#+`` header lines carry their metadata (grlc style).

    #+ title: Challenges for peer support workers
    #+ description: …
    #+ question: Which themes are challenges for PSWs, and how many references back each?
    #+ tags: [themes, findings]
    #+ params:
    #+   - {name: theme, type: iri, default: "…", example: "…", description: "…"}

Parameters are bound as RDF terms with pyoxigraph's ``substitutions=``, never pasted into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import yaml

from . import iris
from .errors import NotFound, UserInputError

HEADER = re.compile(r"^#\+ ?(.*)$")
XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("iri", "string", "integer", "boolean", "date")


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    default: str | None = None
    example: str | None = None
    description: str = ""

    def term(self, raw: str):
        """The RDF term for ``raw``; a value that does not fit the type is a 400 naming the parameter."""
        try:
            if self.type == "iri":
                value = raw if re.match(r"^[a-z][a-z0-9+.-]*:", raw) else iris.base() + raw.lstrip("/")
                if re.search(r"[\s<>\"{}|\\^`]", value):
                    raise ValueError("not an IRI")
                return ox.NamedNode(value)
            if self.type == "integer":
                return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
            if self.type == "boolean":
                if raw not in ("true", "false"):
                    raise ValueError("not true or false")
                return ox.Literal(raw, datatype=ox.NamedNode(XSD + "boolean"))
            if self.type == "date":
                return ox.Literal(date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD + "date"))
            return ox.Literal(raw)
        except ValueError:
            raise UserInputError(
                f"parameter '{self.name}' must be {_article(self.type)} {self.type}, got {raw!r}",
                details={"parameter": self.name},
            ) from None


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    question: str
    text: str
    path: Path
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = field(default_factory=tuple)

    def substitutions(self, values: dict[str, str]) -> dict:
        """Bind ``values`` (and defaults) to the query's parameters; unknown names are a 400."""
        known = {param.name: param for param in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise UserInputError(
                f"query '{self.name}' has no parameter '{unknown[0]}' (it takes: {', '.join(known) or 'none'})",
                details={"parameter": unknown[0]},
            )
        bound = {}
        for name, param in known.items():
            if values.get(name) == "" and param.type != "string":  # "" is a string, but no IRI or number
                raise UserInputError(f"parameter '{name}' is empty; give {_article(param.type)} {param.type} or leave it out", details={"parameter": name})
            raw = values.get(name, param.default)
            if raw is not None:
                bound[ox.Variable(name)] = param.term(raw)
        return bound

    def run(self, store, values: dict[str, str] | None = None):
        return store.query(self.text, substitutions=self.substitutions(values or {}))


def parse(path: Path) -> CannedQuery:
    header, body = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = HEADER.match(line)
        if match and not body:
            header.append(match.group(1))
        else:
            body.append(line)
    try:
        meta = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as problem:
        raise UserInputError(f"{path}: the '#+' header is not valid YAML: {problem}") from None
    missing = [key for key in ("title", "description", "question") if not meta.get(key)]
    if missing:
        raise UserInputError(f"{path}: the '#+' header lacks {', '.join(missing)}")
    params = tuple(Param(**{k: (str(v) if v is not None and k != "name" else v) for k, v in p.items()}) for p in meta.get("params", []))
    bad = [p.name for p in params if p.type not in PARAM_TYPES]
    if bad:
        raise UserInputError(f"{path}: parameter {bad[0]} has an unknown type (use one of {', '.join(PARAM_TYPES)})")
    return CannedQuery(
        name=path.stem,
        title=meta["title"],
        description=meta["description"],
        question=meta["question"],
        text="\n".join(body).strip() + "\n",
        path=path,
        tags=tuple(meta.get("tags", [])),
        params=params,
    )


def load_all(directory: Path) -> dict[str, CannedQuery]:
    return {path.stem: parse(path) for path in sorted(directory.glob("*.rq"))}


def get(directory: Path, name: str) -> CannedQuery:
    path = directory / f"{name}.rq"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.exists():
        raise NotFound(f"no canned query named '{name}' (see GET /queries)")
    return parse(path)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
