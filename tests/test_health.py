"""/health on live servers: a pass names the store version and means a query ran; a fail is a 503."""

from __future__ import annotations

import os
import shutil

import requests

from conftest import serving
from peerkg import __version__, store


def test_a_healthy_server_names_its_store_and_runs_a_query(server, built):
    response = requests.get(server + "/health")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/health+json"
    assert response.headers["Cache-Control"] == "no-store"
    version = os.path.basename(os.readlink(store.current_path(built.data_dir)))
    assert response.json() == {"status": "pass", "version": __version__, "store": version, "queries": True}


def test_without_a_store_the_check_fails_with_503(built, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    with serving(data) as url:
        assert requests.get(url + "/health").status_code == 200
        store.current_path(data).unlink()  # the published version is gone
        response = requests.get(url + "/health")
    assert response.status_code == 503 and response.headers["Content-Type"] == "application/health+json"
    assert response.json() == {"status": "fail", "version": __version__, "store": None, "queries": False,
                               "output": f"the embedded store in {data} holds no graph yet: run 'peerkg build' first"}
