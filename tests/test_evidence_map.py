"""/evidence-map: the page, the SVG (links to the findings' IRIs) and the PNG, over the app."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
ID = "https://w3id.org/peerkg/id/"


def test_svg_download_links_every_mark_to_its_finding_iri(client):
    response = client.get("/evidence-map.svg")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="peerkg-evidence-map.svg"'
    root = ET.fromstring(response.data)
    assert root.find(f"{SVG}title").text == "Evidence map of the umbrella review's themes"
    links = root.findall(f".//{SVG}a")
    assert len(links) == 42
    assert links[0].get("href") == ID + "finding/wellbeing-and-recovery/benefit/psws"
    assert links[0].get("aria-label") == "Wellbeing and recovery, PSWs: benefit, 3 references"
    assert links[-1].get("href") == ID + "finding/offering-treatment-choice/none/mixed"
    headers = [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert headers[:3] == ["PSWs", "Mixed", "Service users"]


def test_png_download(client):
    response = client.get("/evidence-map.png")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert response.headers["Content-Disposition"] == 'inline; filename="peerkg-evidence-map.png"'
    again = client.get("/evidence-map.png", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_page_has_the_map_inline_with_local_links_and_as_a_table(client):
    response = client.get("/evidence-map")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert page.count('<a href="/id/finding/') == 42
    assert page.count('<a class="mark ') == 42
    assert 'aria-label="Workload, Mixed: challenge, 1 reference"' in page
    assert "20\nthemes into 4 categories, and 6 sample groups reported\n42 findings on them." in page
    assert '<a href="/evidence-map.svg" type="image/svg+xml">SVG</a>' in page
