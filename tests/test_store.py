"""peerkg.store: versions are published atomically, old ones pruned, and only real stores are opened."""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest

from peerkg import store
from peerkg.errors import PeerkgError

G = ox.NamedNode("https://w3id.org/peerkg/graph/test")


def quads(n: int):
    return [ox.Quad(ox.NamedNode(f"urn:s:{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i)), G) for i in range(n)]


def test_publish_switches_current_and_keeps_one_previous_version(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "GRACE_SECONDS", 0)
    first = store.publish(tmp_path, quads(3), "one")
    second = store.publish(tmp_path, quads(5), "two")
    assert os.readlink(store.current_path(tmp_path)) == f"stores/{second.name}"
    third = store.publish(tmp_path, quads(7), "three")
    remaining = sorted(p.name for p in (tmp_path / "stores").iterdir() if p.is_dir())
    assert remaining == sorted([second.name, third.name]) and not first.exists()
    current = store.open_current(tmp_path)
    assert current.version == third.name
    assert len(list(current.quads())) == 7
    assert store.fingerprint_of_current(tmp_path) == "three"


def test_versions_replaced_within_the_grace_period_stay_for_their_readers(tmp_path):
    first = store.publish(tmp_path, quads(1))
    store.publish(tmp_path, quads(2))
    store.publish(tmp_path, quads(3))
    assert first.exists()  # replaced a moment ago: a query may still be reading it


def test_a_version_left_by_a_writer_that_died_is_removed_at_the_next_publish(tmp_path):
    store.publish(tmp_path, quads(1))
    leftover = store.new_version(tmp_path)
    ox.Store(str(leftover)).add(quads(1)[0])
    assert leftover.exists()
    latest = store.publish(tmp_path, quads(2))
    assert not leftover.exists() and latest.exists()


def test_a_failed_write_leaves_the_current_version(tmp_path):
    store.publish(tmp_path, quads(2))
    before = os.readlink(store.current_path(tmp_path))

    def broken():
        yield from quads(2)
        raise RuntimeError("parser died")

    with pytest.raises(RuntimeError):
        store.publish(tmp_path, broken())
    assert os.readlink(store.current_path(tmp_path)) == before
    assert len([p for p in (tmp_path / "stores").iterdir() if p.is_dir()]) == 1


def test_opening_what_is_not_a_store_says_so(tmp_path):
    with pytest.raises(PeerkgError, match="run 'peerkg build' first"):
        store.open_current(tmp_path)
    with pytest.raises(PeerkgError, match="is not an Oxigraph store"):
        store.EmbeddedStore(tmp_path)


def test_dump_a_graph_with_prefixes(tmp_path):
    store.publish(tmp_path, quads(1))
    turtle = store.open_current(tmp_path).dump(ox.RdfFormat.TRIG, prefixes={"ex": "urn:"}).decode()
    assert "<https://w3id.org/peerkg/graph/test>" in turtle and '"0"' in turtle
