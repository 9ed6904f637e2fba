"""robots.txt and the sitemap, as a crawler reads them from a live server: every URL listed answers 200."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import PROJECT_ROOT, serving
from peerkg import queries

SITEMAPS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# A crawler's Accept (Googlebot's): HTML first.
CRAWLER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def locations(url: str, element: str) -> list[str]:
    response = requests.get(url)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == SITEMAPS + ("urlset" if element == "url" else "sitemapindex")
    return [node.findtext(SITEMAPS + "loc") for node in root.iter(SITEMAPS + element)]


def test_robots_txt_names_the_sitemap(server):
    response = requests.get(server + "/robots.txt")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert f"Sitemap: {server}/sitemap.xml" in lines
    assert {"User-agent: *", "Disallow: /sparql", "Disallow: /store"} <= set(lines)


def test_the_sitemap_lists_every_page(server, kg):
    urls = locations(server + "/sitemap.xml", "url")
    resources = {q.subject.value for q in kg.quads() if q.subject.value.startswith("https://w3id.org/peerkg/id/")}
    graphs = {g.value for g in kg.named_graphs()}
    canned = queries.load_all(PROJECT_ROOT / "queries")
    assert len(urls) == len(set(urls)) == 8 + len(canned) + len(graphs) + len(resources)
    assert f"{server}/id/theme/workload.html" in urls and f"{server}/graph/links.html" in urls
    assert f"{server}/queries/table3" in urls and f"{server}/ontology.html" in urls
    assert all(url.startswith(server + "/") for url in urls)


def test_a_crawl_of_the_split_sitemap_finds_every_page(built, server):
    """PEERKG_SITEMAP_URLS stands in for the protocol's 50,000 so that the index shows on a small graph; the
    crawler then fetches every URL of every part. Its own server has the default query time limit, so that
    a busy machine slows the crawl down rather than failing it."""
    whole = locations(server + "/sitemap.xml", "url")
    size = 200
    with serving(built.data_dir, "--query-timeout", "30", env={"PEERKG_SITEMAP_URLS": str(size)}) as url:
        parts = locations(url + "/sitemap.xml", "sitemap")
        count = -(-len(whole) // size)
        assert count > 1 and parts == [f"{url}/sitemap-{n}.xml" for n in range(1, count + 1)]
        listed = [locations(part, "url") for part in parts]
        assert [len(urls) for urls in listed[:-1]] == [size] * (count - 1)
        crawled = [u for urls in listed for u in urls]
        assert [u.replace(url, server) for u in crawled] == whole
        beyond = requests.get(f"{url}/sitemap-{count + 1}.xml")
        assert beyond.status_code == 404 and f"/sitemap-{count}.xml" in beyond.json()["detail"]

        def fetch(page: str) -> tuple[int, str]:
            response = requests.get(page, headers=CRAWLER, allow_redirects=False, timeout=120)
            return response.status_code, response.headers["Content-Type"]

        with ThreadPoolExecutor(2) as pool:  # one request per gunicorn worker
            answers = dict(zip(crawled, pool.map(fetch, crawled)))
    assert {page: answer for page, answer in answers.items() if answer != (200, "text/html; charset=utf-8")} == {}
