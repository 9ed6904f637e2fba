"""The site in a real browser: Debian's chromium, driven by Playwright, against the live ``server``.

Playwright never downloads a browser here: it launches /usr/bin/chromium (``make test`` installs it when it is
missing). Each test saves a screenshot to tests/screenshots/ for a person to look at after a run.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright import sync_api as playwright_api  # noqa: F401 - a missing install fails here, never skips

SCREENSHOTS = Path(__file__).parent / "screenshots"




@pytest.fixture
def page(browser, server):
    """A fresh page (own cookies and storage) that records every URL it requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.requested, violations = [], []
    opened.on("request", lambda request: opened.requested.append(request.url))
    opened.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    assert violations == []  # every page works under the site's Content-Security-Policy


def wait_until(page, expression: str, seconds: float = 15) -> None:
    """Poll ``expression`` in the page: Playwright's wait_for_function evaluates its predicate with eval, which
    the site's Content-Security-Policy (rightly) forbids, while page.evaluate goes through the DevTools protocol."""
    import time

    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"{expression} stayed false for {seconds} s"
        page.wait_for_timeout(100)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def only_this_server(page, server: str) -> None:
    """Nothing was fetched from anywhere else (no CDN, no prefix.cc, no fonts)."""
    hosts = {urlsplit(url).netloc for url in page.requested if not url.startswith(("data:", "blob:"))}
    assert hosts == {urlsplit(server).netloc}


def test_home_page(page, server, kg):
    response = page.goto(server + "/")
    assert response.status == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    assert page.title() == "Peer Support Knowledge Graph · Peer Support Knowledge Graph"
    counts = page.locator("ul.counts li").all_inner_texts()
    assert [" ".join(c.split()) for c in counts] == [
        "9 qualitative studies", "12 informant groups", "4 theme categories", "20 themes", "42 findings",
        "63 reference entries", "27 peer role activities", "165 source passages",
        f"{len({(q.subject, q.predicate, q.object) for q in kg.quads()}):,} distinct triples",
    ]
    sources = page.locator("ul.sources > li > a:first-child")
    assert sources.count() == 4
    assert "Peer Support in Adult Mental Health Services: a Metasynthesis of Qualitative Findings" in sources.all_inner_texts()
    assert page.locator("a[href='https://doi.org/10.2174/1745017901208010022']").count() == 1
    assert page.locator("a[href='https://pubmed.ncbi.nlm.nih.gov/23477647/']").count() == 1
    assert page.locator("svg.evidence-map a").count() == 42
    for name in ("Evidence map", "Queries", "Editor", "Downloads", "Dataset description", "Ontology", "Validate"):
        assert page.locator("nav[aria-label=Main]").get_by_role("link", name=name, exact=True).count() == 1
    only_this_server(page, server)
    screenshot(page, "home")


def test_skip_link_is_the_first_keyboard_stop(page, server):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.url == server + "/#main"


def test_evidence_map_cell_leads_to_its_finding(page, server):
    response = page.goto(server + "/evidence-map")
    assert response.status == 200
    marks = page.locator("svg.evidence-map a")
    assert marks.count() == 42
    assert page.locator("svg.evidence-map a[aria-label$=': benefit, 3 references']").count() == 4
    assert page.locator("table.evidence tbody tr th[scope=row]").count() == 20
    screenshot(page, "evidence-map")
    page.locator("svg.evidence-map a[aria-label='Workload, Mixed: challenge, 1 reference']").click()
    page.wait_for_url(server + "/id/finding/workload/challenge/mixed.html")
    assert page.locator("h1").inner_text() == "Workload: Challenge, Mixed"
    caption = page.locator(".passage figcaption").first.inner_text()
    assert caption.startswith("001_85302dd9911c6030.txt, Table 6") and "line 165" in caption
    screenshot(page, "finding")


def test_canned_query_form(page, server):
    response = page.goto(server + "/queries/findings_for_theme")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Findings on a theme"
    assert page.locator("table.results tbody tr").count() == 6  # Recovery and role models, the default
    page.get_by_label("theme").fill("id/theme/role-ambiguity")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url(re.compile(r".*/queries/findings_for_theme\?theme=id%2Ftheme%2Frole-ambiguity$"))
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 4
    cells = [rows.nth(i).locator("td").nth(3).inner_text() for i in range(4)]
    assert cells == ["64", "23, 34", "39, 55", "42, 63, 64"]
    permalink = page.locator("a.permalink").get_attribute("href")
    assert permalink == server + "/queries/findings_for_theme?theme=id/theme/role-ambiguity"
    screenshot(page, "query-form")
    page.locator("table.results tbody tr").first.locator("td").first.get_by_role("link").click()
    page.wait_for_url(server + "/id/theme/role-ambiguity.html")
    assert page.locator("h1").inner_text() == "Role ambiguity"


def test_query_editor_runs_a_query(page, server):
    page.goto(server + "/sparql")  # a browser asking the endpoint without a query lands in the editor
    assert page.url == server + "/editor"
    wait_until(page, "!!(window.peerkgEditor && window.peerkgEditor.getTab().getYasqe())")
    query = ("PREFIX pkg: <https://w3id.org/peerkg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
             "SELECT ?theme (COUNT(DISTINCT ?finding) AS ?findings) WHERE { ?t a pkg:Theme ; skos:prefLabel ?theme . "
             "?finding a pkg:Finding ; pkg:theme ?t } GROUP BY ?theme ORDER BY DESC(?findings) ?theme")
    page.evaluate("query => window.peerkgEditor.getTab().getYasqe().setValue(query)", query)
    page.locator(".yasqe_queryButton").click()
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    assert page.locator(".yasr .dataTables_info").inner_text().startswith("Showing 1 to 20 of 20 entries")
    assert rows.first.locator("td").nth(1).inner_text() == '"Recovery and role models"@en'
    assert rows.first.locator("td").nth(2).inner_text() == '"6"^^xsd:integer'
    screenshot(page, "editor-table")
    page.locator(".yasr .select_chart").click()
    assert page.locator(".yasr svg.peerkg-chart rect").count() == 20
    screenshot(page, "editor-chart")
    only_this_server(page, server)


def test_editor_opens_a_canned_query(page, server):
    page.goto(server + "/editor?canned=evidence_map")
    wait_until(page, "!!(window.peerkgEditor && window.peerkgEditor.getTab().getYasqe())")
    assert page.evaluate("window.peerkgEditor.getTab().getName()") == "evidence_map"
    assert "?sample_group ?references ?finding" in page.evaluate("window.peerkgEditor.getTab().getYasqe().getValue()")


def test_pages_work_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/queries/works_by_author?family=Salzer")
    assert page.locator("table.results tbody tr").count() > 0
    page.goto(server + "/evidence-map")
    page.locator("table.evidence a[aria-label='Offering treatment choice, Mixed: no valence given, 1 reference']").click()
    page.wait_for_url(server + "/id/finding/offering-treatment-choice/none/mixed.html")
    context.close()


BAD_FINDING = b"""@prefix pkg: <https://w3id.org/peerkg/ontology#> .
<https://w3id.org/peerkg/id/finding/x/benefit/psws> a pkg:Finding ;
  pkg:sampleSize "many" .
"""


def test_validation_form_reports_a_bad_file(page, server):
    response = page.goto(server + "/validate")
    assert response.status == 200
    page.get_by_label("File").set_input_files({"name": "bad.ttl", "mimeType": "text/turtle", "buffer": BAD_FINDING})
    page.get_by_role("button", name="Validate").click()
    verdict = page.locator("#verdict")
    verdict.wait_for()
    assert " ".join(verdict.inner_text().split()) == "bad.ttl: Does not conform"
    assert page.locator(".report > p").first.inner_text().startswith("2 triples (text/turtle).")
    backed_by = page.locator("section.rule", has=page.locator("h3 code", has_text="pkg:backedBy"))
    assert backed_by.locator("tbody tr td").first.inner_text() == "bad.ttl:2"  # the file and line of the finding
    screenshot(page, "validate")


THEME_LABELS = ("PREFIX pkg: <https://w3id.org/peerkg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                "SELECT ?theme ?label WHERE { ?theme a pkg:Theme ; skos:prefLabel ?label } ORDER BY ?label")


def test_a_query_url_opened_in_the_browser_shows_a_results_page(page, server):
    from urllib.parse import quote

    response = page.goto(f"{server}/sparql?query={quote(THEME_LABELS)}")
    assert response.status == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    assert page.title() == "SPARQL results · Peer Support Knowledge Graph"
    assert page.locator("nav[aria-label=Main]").count() == 1  # the site's layout
    assert page.locator("article pre code").inner_text() == THEME_LABELS
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 20
    assert page.locator("table.results thead th").all_inner_texts() == ["theme", "label"]
    first = rows.first.locator("td")
    assert first.nth(0).get_by_role("link").get_attribute("href") == "/id/theme/boundaries"
    assert first.nth(1).inner_text() == "Boundaries"
    downloads = {link.inner_text(): link.get_attribute("href") for link in page.locator("p", has_text="Download:").get_by_role("link").all()}
    assert list(downloads) == ["JSON", "XML", "CSV", "TSV"]
    import requests

    csv = requests.get(server + downloads["CSV"])
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8" and len(csv.text.splitlines()) == 21
    screenshot(page, "sparql-results")
    page.get_by_role("link", name="Edit in the query editor").click()
    wait_until(page, "!!(window.peerkgEditor && window.peerkgEditor.getTab().getYasqe())")
    assert page.evaluate("window.peerkgEditor.getTab().getYasqe().getValue()") == THEME_LABELS
    only_this_server(page, server)


def test_wide_results_stay_in_the_column_and_datatypes_show_on_demand(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(server + "/queries/table3")
    assert page.locator("table.results tbody tr").count() == 12
    # Nothing sticks out of the page, and the table fits its column: every column, Conclusion too, is in view.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("(() => { const s = document.querySelector('.scroll'); return s.scrollWidth <= s.clientWidth; })()")
    main_right = page.evaluate("document.querySelector('main').getBoundingClientRect().right")
    headers = page.locator("table.results thead th")
    assert headers.last.inner_text() == "conclusion"
    assert page.evaluate("document.querySelector('table.results thead th:last-child').getBoundingClientRect().right") <= main_right
    # Datatypes are in the title, and in the table only when asked for.
    notes = page.locator("table.results .note")
    assert notes.count() > 0 and not notes.first.is_visible()
    assert page.locator("table.results span.literal[title='xsd:gYear']").count() == 12
    screenshot(page, "query-wide")
    page.get_by_label("Show datatypes and languages").check()
    assert notes.first.is_visible() and notes.first.inner_text().startswith(" (")
    screenshot(page, "query-wide-datatypes")
    context.close()


def test_a_curated_literal_cannot_blank_a_page(browser, tmp_path):
    """A literal ``<!--<script>`` once swallowed the page body into the embedded JSON-LD element."""
    from peerkg import build, iris
    from peerkg.config import Settings
    from peerkg.curation import commit, submission
    from peerkg.web import create_app

    settings = Settings(data_dir=tmp_path / "data")
    build.build(settings)
    example = (Path(__file__).parents[1] / "examples" / "curated-study.ttl").read_text()
    scripted = example + ('\n<https://w3id.org/peerkg/id/study/example-2024> <http://purl.org/dc/terms/description> '
                          '"<!--<script>" ; <http://purl.org/dc/terms/license> <javascript:alert(1)> .\n')
    commit.commit(settings, commit.Operation.PUT, iris.curated_graph("scripted"),
                  submission.parse(scripted.encode(), submission.format_for(file_name="x.ttl"), "scripted.ttl"), "tester")
    html = create_app({"TESTING": True, "DATA_DIR": str(settings.data_dir)}).test_client().get("/id/study/example-2024.html").text
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(html)
        assert page.locator("h2#statements").is_visible()
        note = page.locator("td", has_text="<!--<script>")
        assert note.count() == 1 and note.locator("a").count() == 0
        assert page.locator("a[href^='javascript:']").count() == 0
        assert page.get_by_text("javascript:alert(1)").count() == 1
    finally:
        context.close()
