"""/queries/<name> for a browser: the page with the question, a form from the parameters, results, downloads."""

from __future__ import annotations

import re

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def page(client, path):
    response = client.get(path, headers=HTML)
    return response, response.get_data(as_text=True)


def body_rows(text: str) -> list[str]:
    return re.findall(r"<tr><td>.*?</tr>", text.split('<table class="results">')[1], re.S)


def test_a_query_page_runs_the_defaults_and_offers_a_form(client):
    response, text = page(client, "/queries/findings_for_theme")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Findings on a theme</h1>" in text
    assert "<strong>What did each sample group report about a theme?</strong>" in text
    assert '<form class="params" method="get" action="/queries/findings_for_theme"' in text
    assert '<label for="param-theme">theme</label>' in text
    assert 'name="theme" type="text" value="id/theme/recovery-and-role-models"' in text
    assert len(body_rows(text)) == 6
    assert '<a href="/id/theme/recovery-and-role-models">id/theme/recovery-and-role-models</a>' in text
    permalink = "http://localhost/queries/findings_for_theme?theme=id/theme/recovery-and-role-models"
    assert f'<a href="{permalink}" rel="bookmark" class="permalink">' in text
    assert '<a href="/queries/findings_for_theme.csv?theme=id/theme/recovery-and-role-models">CSV</a>' in text
    assert '<a href="/editor?canned=findings_for_theme">Open in the query editor</a>' in text
    assert "PREFIX pkg: &lt;https://w3id.org/peerkg/ontology#&gt;" in text


def test_the_permalink_reproduces_the_result(client):
    _, text = page(client, "/queries/findings_for_theme?theme=id/theme/role-ambiguity")
    assert len(body_rows(text)) == 4
    csv = client.get("/queries/findings_for_theme.csv?theme=id/theme/role-ambiguity")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8" and len(csv.get_data(as_text=True).splitlines()) == 5


def test_a_value_that_does_not_fit_is_a_400_page_with_the_form(client):
    response, text = page(client, "/queries/works_by_author?family=Mowbray&colour=red")
    assert response.status_code == 400 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "query &#39;works_by_author&#39; has no parameter &#39;colour&#39;" in text
    assert 'name="family" type="text" value="Mowbray"' in text and '<table class="results">' not in text


def test_an_emptied_optional_field_means_all(client):
    response, text = page(client, "/queries/informants_by_study?study=")
    assert response.status_code == 200 and len(body_rows(text)) == 12  # the 12 groups of Table 3 (the metasynthesis has none)
    # The URL API keeps its rule: an empty IRI is a 400.
    assert client.get("/queries/informants_by_study.json?study=").status_code == 400


def test_boolean_and_integer_parameters_have_fitting_fields(client):
    _, text = page(client, "/queries/findings_by_sample_group")
    assert '<select id="param-include_mixed" name="include_mixed"' in text
    assert '<option value="false" selected>false</option>' in text
    _, text = page(client, "/queries/most_cited_references?min_findings=5")
    assert 'name="min_findings" type="number" value="5"' in text


def test_a_construct_query_shows_its_triples_with_rdf_downloads(client):
    _, text = page(client, "/queries/source_articles")
    assert "<th scope=\"col\">subject</th><th scope=\"col\">predicate</th><th scope=\"col\">object</th>" in text
    assert '<a href="/id/work/metasynthesis-2013">id/work/metasynthesis-2013</a>' in text
    assert '<a href="/queries/source_articles.ttl">Turtle</a>' in text and ".csv" not in text


def test_clients_that_do_not_ask_for_html_still_get_data(client):
    assert client.get("/queries/table3").headers["Content-Type"] == "application/sparql-results+json"
    assert client.get("/queries/table3", headers={"Accept": "*/*"}).headers["Content-Type"] == "application/sparql-results+json"
    assert client.get("/queries/table3?format=csv", headers=HTML).headers["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get("/queries/source_articles", headers={"Accept": "*/*"}).headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_the_listing_offers_downloads_each_query_can_give(client):
    text = client.get("/queries", headers=HTML).get_data(as_text=True)
    assert '<a href="http://localhost/queries/table3.csv">CSV</a>' in text
    assert '<a href="http://localhost/queries/describe.ttl">Turtle</a>' in text
    assert "/queries/describe.csv" not in text and "/queries/named_graph.csv" not in text
    assert client.get("/queries/describe.ttl").status_code == 200
