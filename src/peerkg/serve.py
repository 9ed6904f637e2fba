"""Serving the app under gunicorn (a production WSGI server with several worker processes)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from .web import create_app


class Server(BaseApplication):
    """gunicorn driven from Python: the app factory runs in each worker, after the fork."""

    def __init__(self, options: dict, test_config: dict | None = None):
        self.options, self.test_config = options, test_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app(self.test_config)


def serve(host: str, port: int, workers: int, query_timeout: float, test_config: dict | None = None) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        # gunicorn's own watchdog must not fire before the query time limit does.
        "timeout": int(query_timeout) + 30,
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(B)s %(M)sms',
        "errorlog": "-",
        "loglevel": "info",
        "control_socket_disable": True,  # one socket per user would clash between servers
    }
    Server(options, test_config).run()
