"""The home page: what the dataset is, where it comes from, live counts, the evidence map and links to the rest."""

from __future__ import annotations


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    text = response.get_data(as_text=True)
    assert "<li><strong>42</strong> findings</li>" in text and "<li><strong>20</strong> themes</li>" in text
    assert "<li><strong>9</strong> qualitative studies</li>" in text
    assert '<a href="/id/work/umbrella-review">The effectiveness, implementation, and experiences of peer support' in text
    assert 'DOI <a href="https://doi.org/10.2174/1745017901208010022">10.2174/1745017901208010022</a>' in text
    assert text.count('<a href="/id/finding/') == 42  # the evidence map, inline, linked to the findings
    for href in ("/evidence-map", "/queries", "/editor", "/sparql", "/download/", "/dataset", "/ontology", "/validate"):
        assert f'<a href="{href}">' in text, href
    assert '<a class="skip" href="#main">Skip to content</a>' in text and '<main id="main" tabindex="-1">' in text


def test_the_favicon_is_an_icon_in_three_sizes(server):
    import io

    import requests
    from PIL import Image

    response = requests.get(server + "/favicon.ico")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/vnd.microsoft.icon"
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO" and sorted(icon.info["sizes"]) == [(16, 16), (32, 32), (48, 48)]
    assert icon.convert("RGB").getpixel((1, 1)) == (0x1F, 0x5F, 0xA8)  # the evidence map's benefit blue
