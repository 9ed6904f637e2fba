"""Serving the app under gunicorn: worker processes, each answering many requests at once on threads.

Threads (gunicorn's gthread worker) keep a runaway query from holding a whole worker: the thread waits
on its query process, and the worker's other threads go on serving. The app is made once, in the master
before it forks (``preload_app``), with what every worker would otherwise do at its first requests
(``warmup.prepare``); each worker starts one query process and waits until it is ready before it takes a
request (``kg.warm``), so its first request does not wait for one. On SIGTERM the workers finish what is
in flight for at most ``GRACEFUL_SECONDS``, stop their query processes and exit.
"""

from __future__ import annotations

import os
import tempfile

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from .web import create_app, kg, warmup

GRACEFUL_SECONDS = 3
# One line per request: client, request line, status, body bytes, milliseconds.
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'


class AccessLog(glogging.Logger):
    """gunicorn's logger, with an access line's atoms limited to those ``ACCESS_FORMAT`` uses: gunicorn's own
    ``atoms`` also copies every request and response header and every environ entry into the dict, about
    a tenth of a small query's time in the web worker."""

    def atoms(self, resp, req, environ, request_time):
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "r": f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}",
            "s": status,
            "B": getattr(resp, "sent", None),
            "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
        }


class Server(BaseApplication):
    """gunicorn driven from Python: the app factory runs once, in the master; the workers fork from it."""

    def __init__(self, options: dict, test_config: dict | None = None):
        self.options, self.test_config = options, test_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        app = create_app(self.test_config)
        warmup.prepare(app)
        return app


def _post_worker_init(worker) -> None:
    kg.warm(worker.wsgi)


def _worker_exit(server, worker) -> None:
    kg.close(worker.wsgi)


def serve(host: str, port: int, workers: int, query_timeout: float, test_config: dict | None = None,
          threads: int = 8) -> None:
    # The per-client query slots are shared by every worker: one directory, made before the fork.
    config = {"SLOTS_DIR": os.environ.get("PEERKG_SLOTS_DIR") or tempfile.mkdtemp(prefix="peerkg-slots-"),
              "QUERY_PROCESSES": threads, **(test_config or {})}
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # gunicorn's own watchdog must not fire before the query time limit does.
        "timeout": int(query_timeout) + 30,
        "graceful_timeout": GRACEFUL_SECONDS,
        "preload_app": True,  # the app opens no store and starts no thread or process until a worker does
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        "accesslog": "-",
        "access_log_format": ACCESS_FORMAT,
        "logger_class": AccessLog,
        "errorlog": "-",
        "loglevel": "info",
        "control_socket_disable": True,  # one socket per user would clash between servers
    }
    Server(options, config).run()
