"""The web app: ``create_app()`` builds a Flask app over a store; blueprints per area."""

from __future__ import annotations

import os

from flask import Flask
from flask_compress import Compress
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from ..config import Settings
from ..errors import PeerkgError
from . import canned, problems, sparql

READ_PATHS = r"^/(sparql|queries)(/.*)?$"


def create_app(test_config: dict | None = None) -> Flask:
    settings = Settings()
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=str(settings.data_dir),
        STORE=os.environ.get("PEERKG_STORE") or None,  # serve one store directory instead of data/current
        QUERIES_DIR=str(settings.queries_dir),
        QUERY_TIMEOUT=float(os.environ.get("PEERKG_QUERY_TIMEOUT", 30)),
        MAX_RESULT_BYTES=int(os.environ.get("PEERKG_MAX_RESULT_BYTES", 50 * 1024 * 1024)),
        COMPRESS_ALGORITHM=["gzip", "deflate"],
        COMPRESS_MIMETYPES=[
            "application/sparql-results+json", "application/sparql-results+xml", "application/json",
            "application/problem+json", "text/csv", "text/tab-separated-values", "text/turtle", "text/html",
            "application/n-triples", "application/n-quads", "application/trig", "application/ld+json",
            "application/rdf+xml",
        ],
        COMPRESS_MIN_SIZE=500,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.from_mapping(test_config)
    Compress(app)
    # Reads are open to every origin; no credentials are ever allowed across origins.
    CORS(app, resources={READ_PATHS: {"origins": "*"}}, supports_credentials=False, send_wildcard=True, max_age=86400,
         allow_headers=["Content-Type", "Accept", "If-None-Match"], expose_headers=["ETag", "Content-Type"])
    app.register_blueprint(sparql.bp)
    app.register_blueprint(canned.bp)
    app.register_error_handler(PeerkgError, problems.render)
    app.register_error_handler(HTTPException, problems.from_http)
    return app
