"""What the XML readers share: a parser that never fetches or expands anything, and the lines an element spans."""

from __future__ import annotations

from lxml import etree

from ..source import Facts, Line

# Hostile input is normal input: no DTDs, no entities, no network, no huge trees.
PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
                      remove_comments=True, remove_pis=True)


def parse(facts: Facts, data: bytes, expected: str) -> etree._Element:
    try:
        return etree.fromstring(data, etree.XMLParser(**PARSER_OPTIONS))
    except etree.XMLSyntaxError as problem:
        raise facts.error(f"not well-formed XML: {problem.msg}; expected {expected}", problem.lineno or None) from None


def span(facts: Facts, element) -> tuple[Line, Line]:
    """The first and last line of ``element``: from its start tag to the line of its end tag (the line after its
    last descendant's start, when that line closes it)."""
    first = element.sourceline
    last = max(node.sourceline or first for node in element.iter())
    if facts.line(last + 1).text == f"</{etree.QName(element).localname}>":
        last += 1
    return facts.line(first), facts.line(last)


def text(element, path: str | None = None) -> str | None:
    """The text of ``element`` (or of the first element at ``path`` under it), white space collapsed."""
    node = element.find(path) if path is not None else element
    if node is None:
        return None
    joined = " ".join("".join(node.itertext()).split())
    return joined or None
