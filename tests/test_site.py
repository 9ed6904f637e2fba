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
    for href in ("/evidence-map", "/queries", "/editor", "/sparql", "/download/", "/dataset", "/ontology", "/validate", "/import"):
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


def test_the_home_page_embeds_schema_org_dataset_markup_that_agrees_with_dataset(server):
    import re
    from urllib.parse import quote

    import requests
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SDO

    from peerkg.iris import DCAT, VOID

    html = requests.get(server + "/", headers={"Accept": "text/html"}).text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(blocks) == 1
    markup = Graph().parse(data=blocks[0], format="json-ld")
    described = Graph().parse(data=requests.get(server + "/dataset", headers={"Accept": "text/turtle"}).text, format="turtle")
    dataset = URIRef(server + "/dataset#dataset")
    assert list(markup.subjects(RDF.type, SDO.Dataset)) == [dataset]
    for term, source in ((SDO.name, DCTERMS.title), (SDO.description, DCTERMS.description), (SDO.license, DCTERMS.license),
                         (SDO.version, DCAT.version), (SDO.dateModified, DCTERMS.modified), (SDO.url, DCAT.landingPage)):
        assert markup.value(dataset, term) == described.value(dataset, source) is not None, term
    assert set(markup.objects(dataset, SDO.keywords)) == set(described.objects(dataset, DCAT.keyword)) and len(set(markup.objects(dataset, SDO.keywords))) == 5
    creator = markup.value(dataset, SDO.creator)
    assert markup.value(creator, SDO.name) == described.value(described.value(dataset, DCTERMS.creator), FOAF.name) == Literal("The peerkg developers")
    assert set(markup.objects(dataset, SDO.isBasedOn)) == set(described.objects(dataset, PROV.wasDerivedFrom)) and len(set(markup.objects(dataset, SDO.isBasedOn))) == 4
    assert URIRef("https://doi.org/10.2174/1745017901208010022") in set(markup.objects(None, SDO.sameAs))
    # Every distribution, with its download URL and media type (application/gzip for the gzipped files).
    downloads = {(markup.value(d, SDO.contentUrl), str(markup.value(d, SDO.encodingFormat))) for d in markup.objects(dataset, SDO.distribution)}
    expected = {(described.value(d, DCAT.downloadURL),
                 str(described.value(d, DCAT.compressFormat) or described.value(d, DCAT.mediaType)).rsplit("/media-types/", 1)[1])
                for d in described.objects(dataset, DCAT.distribution)}
    assert downloads == expected and len(downloads) == 12
    # The SPARQL endpoint: a search action whose URL template runs a query.
    template = str(markup.value(markup.value(markup.value(dataset, SDO.potentialAction), SDO.target), SDO.urlTemplate))
    assert template == str(described.value(dataset, VOID.sparqlEndpoint)) + "?query={query}"
    asked = requests.get(template.replace("{query}", quote("ASK { ?s ?p ?o }")), headers={"Accept": "application/sparql-results+json"})
    assert asked.json()["boolean"] is True


def test_templates_have_no_inline_scripts_or_event_handlers():
    """For a Content-Security-Policy of script-src 'self': scripts come from files; JSON data blocks are fine."""
    import re

    from peerkg.config import PROJECT_ROOT

    templates = sorted((PROJECT_ROOT / "src" / "peerkg" / "web" / "templates").iterdir())
    assert len(templates) > 10
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or re.search(r'type="application/(ld\+)?json"', tag), (template.name, tag)
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", text), template.name
        assert "javascript:" not in text, template.name
