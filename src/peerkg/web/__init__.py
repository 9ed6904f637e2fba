"""The web app: ``create_app()`` builds a Flask app over a store; blueprints per area."""

from __future__ import annotations

import os

from flask import Flask
from flask_compress import Compress
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import formats
from ..config import Settings
from ..errors import PeerkgError
from .. import sandbox
from . import (canned, cors, curation, dataset, downloads, editor, evidence_map, health, httpcache, imports, jobs, kg,
               problems, request_body, resources, security, site, sitemap, sparql)


def create_app(test_config: dict | None = None) -> Flask:
    settings = Settings()
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=str(settings.data_dir),
        STORE=os.environ.get("PEERKG_STORE") or None,  # serve one store directory instead of data/current
        # The backend (config.Settings): a SPARQL engine's endpoints and credentials instead of the embedded store.
        **kg.backend_config(settings),
        QUERIES_DIR=str(settings.queries_dir),
        QUERY_TIMEOUT=float(os.environ.get("PEERKG_QUERY_TIMEOUT", 30)),
        MAX_RESULT_BYTES=int(os.environ.get("PEERKG_MAX_RESULT_BYTES", 50 * 1024 * 1024)),
        RESULT_CACHE_ENTRIES=int(os.environ.get("PEERKG_RESULT_CACHE_ENTRIES", 1024)),  # 0: run every query
        CACHE_BYTES=int(os.environ.get("PEERKG_CACHE_MB", 256)) * sandbox.MiB,  # the one cache's budget
        TRUSTED_PROXIES=int(os.environ.get("PEERKG_TRUSTED_PROXIES", 0)),
        COMPRESS_ALGORITHM=["gzip", "deflate"],
        COMPRESS_MIMETYPES=[*formats.MEDIA_TYPES, "application/json", "application/problem+json", "text/html", "text/plain"],
        COMPRESS_MIN_SIZE=500,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=int(os.environ.get("PEERKG_MAX_UPLOAD_BYTES", 16 * 1024 * 1024)),  # a submission or a query body
        BODY_TIMEOUT=float(os.environ.get("PEERKG_BODY_TIMEOUT", 20)),  # seconds a request body may take to arrive
        QUERY_MEMORY_BYTES=int(os.environ.get("PEERKG_QUERY_MEMORY_MB", 2048)) * sandbox.MiB or None,
        QUERY_PROCESSES=int(os.environ.get("PEERKG_QUERY_PROCESSES", 8)),  # per web worker: its request threads
        VALIDATE_TIMEOUT=float(os.environ.get("PEERKG_VALIDATE_TIMEOUT", 60)),  # a validation or a commit
        EXPORT_TIMEOUT=float(os.environ.get("PEERKG_EXPORT_TIMEOUT", 600)),  # writing the downloads of a version
        QUERIES_PER_CLIENT=int(os.environ.get("PEERKG_QUERIES_PER_CLIENT", 4)),  # 0: no cap
        SLOTS_DIR=os.environ.get("PEERKG_SLOTS_DIR"),  # shared by a server's workers; None: one of the app's own
        SITEMAP_MAX_URLS=int(os.environ.get("PEERKG_SITEMAP_URLS", sitemap.MAX_URLS)),  # URLs per sitemap file
        # Work that outlasts a request (web/jobs.py): bodies past JOB_BYTES, or Prefer: respond-async.
        JOB_BYTES=int(os.environ.get("PEERKG_JOB_BYTES", sandbox.MiB)),
        JOB_MAX_BYTES=int(os.environ.get("PEERKG_JOB_MAX_BYTES", 1024 * sandbox.MiB)),  # a job's body, spooled to disk
        JOBS=int(os.environ.get("PEERKG_JOBS", 2)),  # running at once, across the server's workers
        JOB_TIMEOUT=float(os.environ.get("PEERKG_JOB_TIMEOUT", 3600)),
        JOB_MEMORY_BYTES=int(os.environ.get("PEERKG_JOB_MEMORY_MB", 4096)) * sandbox.MiB or None,
        JOB_KEEP_SECONDS=float(os.environ.get("PEERKG_JOB_KEEP_SECONDS", 86400)),  # a finished job, then pruned
    )
    if test_config:
        app.config.from_mapping(test_config)
    kg.install(app)
    Compress(app)
    app.before_request(request_body.reject)
    app.before_request(jobs.allow_large_bodies)
    app.after_request(cors.allow_reads)
    app.after_request(security.add_headers)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(canned.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(dataset.bp)
    app.register_blueprint(evidence_map.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(sitemap.bp)
    app.register_blueprint(health.bp)
    curation.install(app)
    app.register_blueprint(imports.bp)
    app.register_blueprint(jobs.bp)
    app.register_error_handler(PeerkgError, problems.render)
    app.register_error_handler(HTTPException, problems.from_http)
    if app.config.get("TRUSTED_PROXIES"):
        # Behind a reverse proxy, the URLs the app writes (service description, listings) are the ones the
        # client used, from X-Forwarded-Proto/Host/Prefix, and the client is the one X-Forwarded-For names
        # (its share of the query processes), trusted for this many proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=app.config["TRUSTED_PROXIES"],
                                x_host=app.config["TRUSTED_PROXIES"], x_prefix=app.config["TRUSTED_PROXIES"])
    backend = app.extensions["peerkg.backend"]
    app.wsgi_app = httpcache.ResponseCache(app.wsgi_app, backend.version, app.extensions["peerkg.cache"])
    app.wsgi_app = kg.Pinned(app.wsgi_app, backend)
    app.wsgi_app = request_body.BodyReader(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"], app.config["BODY_TIMEOUT"],
                                           job_bytes=app.config["JOB_BYTES"], job_max_bytes=app.config["JOB_MAX_BYTES"],
                                           spool=lambda: jobs.store_of(app.config).spool())
    return app
