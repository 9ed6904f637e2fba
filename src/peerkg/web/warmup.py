"""What a fresh worker would otherwise do at its first requests, done before it takes any.

What is the same for every worker is done once, in gunicorn's master before it forks (``prepare``), and
every worker inherits it: the ontology page (pyLODE's part rendered into the data directory once per
ontology file), the canned queries read and checked by the guard, the templates compiled, and rdflib's
plugins for the pages loaded. Then all of it is frozen out of the collector's reach: a worker's first
full collection over the inherited heap took 150-300 ms of some request (and copied every page it
touched). Nothing here opens the store or asks the backend: an embedded store's RocksDB threads would
not survive the fork, and a remote engine's connections must be each worker's own. Each worker then
starts its first query process before it takes a request (``kg.warm``), which opens the published
version, takes these verdicts and makes its first parse before it says it is ready.
"""

from __future__ import annotations

import gc

from flask import Flask

from .. import guard
from . import kg, ontology_docs, pages


def prepare(app: Flask) -> None:
    with app.app_context():
        ontology_docs.prepare()
        # The web worker checks a canned query before it runs it, and each query process again when it runs
        # it: 20-90 ms a query, once here instead (kg.executor_of hands these to each query process).
        app.extensions["peerkg.verdicts"] = tuple(guard.check(query.text) for query in kg.canned().values())
        for name in app.jinja_env.list_templates():
            app.jinja_env.get_template(name)
        # A resource page reads its description as N-Triples and embeds it as JSON-LD: rdflib imports the
        # parser and the serialiser at their first use.
        pages.graph_with_prefixes().parse(data="", format="nt").serialize(format="json-ld")
    gc.freeze()
