"""Functions a test runs inside a confined worker process, to see what the process may do there."""

from __future__ import annotations

import socket

import pyoxigraph as ox


def service(url: str) -> list:
    """A SERVICE query run straight on Oxigraph, past the guard: the network is what must stop it."""
    return [str(s) for s in ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")]


def connect(url: str) -> str:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as error:
        return type(error).__name__
    return "connected"
