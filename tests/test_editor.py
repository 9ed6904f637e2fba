"""/editor: YASGUI served by the app itself, with the endpoint, prefixes and canned queries; /sparql sends browsers there."""

from __future__ import annotations

import json
import re

from peerkg.iris import PREFIXES

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_editor_page_hands_yasgui_the_endpoint_prefixes_and_canned_queries(client):
    response = client.get("/editor")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert '<script src="/editor/yasgui/yasgui.min.js"></script>' in page
    assert '<link rel="stylesheet" href="/editor/yasgui/yasgui.min.css">' in page
    config = json.loads(re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page, re.S).group(1))
    assert config["endpoint"] == "/sparql" and config["prefixes"] == PREFIXES
    evidence = next(q for q in config["queries"] if q["name"] == "evidence_map")
    assert evidence["page"] == "/queries/evidence_map" and evidence["sparql"].startswith("PREFIX pkg:")
    assert next(q for q in config["queries"] if q["name"] == "findings_for_theme")["params"] == ["theme"]
    assert "cdn" not in page.lower() and "https://unpkg" not in page


def test_yasgui_files_come_from_node_modules(client):
    with client.get("/editor/yasgui/yasgui.min.js") as script:  # a file response: close it
        assert script.status_code == 200 and script.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert script.data.startswith(b"/*! For license information please see yasgui.min.js.LICENSE.txt */")
    with client.get("/editor/yasgui/yasgui.min.css") as style:
        assert style.status_code == 200 and style.headers["Content-Type"] == "text/css; charset=utf-8"
        assert b".yasqe" in style.data
    missing = client.get("/editor/yasgui/package.json")
    assert missing.status_code == 404 and missing.json["detail"].startswith("no editor file named 'package.json'")


def test_a_browser_asking_sparql_without_a_query_lands_in_the_editor(client):
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 303 and response.headers["Location"] == "/editor"
    assert "Accept" in response.headers["Vary"]


def test_other_clients_still_get_the_service_description(client):
    for accept in ("*/*", "text/turtle", "text/html;q=0.5, text/turtle"):
        response = client.get("/sparql", headers={"Accept": accept})
        assert response.status_code == 200 and response.headers["Content-Type"] == "text/turtle; charset=utf-8", accept
    assert client.get("/sparql?format=ttl", headers={"Accept": BROWSER}).status_code == 200
