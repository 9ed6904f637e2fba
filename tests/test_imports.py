"""peerkg.curation.imports and the readers behind it: exact facts from the test documents of every kind and
format (tests/data/import/), the seeds through import, identity matching, commits and bad input."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SDO, SKOS, XSD

from peerkg import iris, seeds, store
from peerkg.cli import main
from peerkg.config import PROJECT_ROOT, Settings
from peerkg.curation import imports
from peerkg.errors import SeedError, UnsupportedMediaType, UserInputError, ValidationFailed
from peerkg.iris import BIRO, CITO, FABIO, PKG, PRISM

from conftest import rows

DATA = PROJECT_ROOT / "tests" / "data" / "import"
W = "https://w3id.org/peerkg/id/"


def files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (DATA / name).read_bytes()) for name in names]


def dry(built: Settings, name: str, **options) -> tuple[imports.Outcome, Graph]:
    outcome = imports.run(built, files(name), dry_run=True, fmt="ntriples", **options)
    return outcome, Graph().parse(data=outcome.data, format="nt")


def passage_of(graph: Graph, subject) -> tuple[int, str, str]:
    passage = graph.value(URIRef(subject), PROV.wasDerivedFrom)
    return graph.value(passage, PKG.line).toPython(), str(graph.value(passage, PKG.locator)), str(graph.value(passage, PROV.value))


def authors(graph: Graph, work: str) -> list[str]:
    return sorted(str(graph.value(p, FOAF.name)) for p in graph.objects(URIRef(W + work), DCTERMS.creator))


def authors_in_order(graph: Graph, work: str) -> list[str]:
    """The names of a work's authors by the schema:position of their prov:Attribution (IRI ``<work>/author/<n>``)."""
    attributions = list(graph.objects(URIRef(W + work), PROV.qualifiedAttribution))
    assert set(attributions) == {URIRef(f"{W}{work}/author/{n}") for n in range(1, len(attributions) + 1)}
    by_position = {graph.value(a, SDO.position).toPython(): graph.value(a, PROV.agent) for a in attributions}
    return [str(graph.value(by_position[n], FOAF.name)) for n in sorted(by_position)]


@pytest.fixture
def writable(built, tmp_path) -> Settings:
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    return Settings(data_dir=data)


# --- every format: works, authors in order, identifiers, provenance -------------------------------------------


def test_ris_records_become_works_and_one_matches_the_graph_by_doi(built):
    outcome, graph = dry(built, "library.ris")
    assert [d.kind for d in outcome.documents] == ["ris"] and outcome.graph == "https://w3id.org/peerkg/graph/curated/library"
    assert outcome.decisions == ["mowbray-1996: DOI 10.1007/BF02249367: the same DOI as the graph's work"]
    mowbray = URIRef(W + "work/mowbray-1996")
    assert str(graph.value(mowbray, PKG.authorsAsWritten)).split("; ")[:2] == ["Mowbray, Carol T.", "Moxley, David P."]
    assert len(authors(graph, "work/mowbray-1996")) == 7 and "Mowbray CT" in authors(graph, "work/mowbray-1996")
    # the graph's title stays; the evidence has a passage in each document
    match = URIRef(W + "match/mowbray-1996/library-a5158ecb")
    assert (match, RDF.type, PKG.WorkMatch) in graph and len(set(graph.objects(match, PROV.wasDerivedFrom))) == 3
    chapter = URIRef(W + "work/odegard-2019")
    assert graph.value(chapter, RDF.type) == FABIO.BookChapter
    publisher = graph.value(chapter, DCTERMS.publisher)
    assert (graph.value(chapter, PRISM.publicationName), publisher, graph.value(publisher, RDF.type), graph.value(publisher, FOAF.name)) == (
        Literal("Recovery in practice"), URIRef(W + "organisation/example-university-press"), FOAF.Organization,
        Literal("Example University Press"))
    assert authors(graph, "work/odegard-2019") == ["Nuñez-García JL", "Ødegård Å"]
    assert authors_in_order(graph, "work/odegard-2019") == ["Ødegård Å", "Nuñez-García JL"]
    assert graph.value(chapter, PRISM.pageRange) == Literal("101–118")
    assert graph.value(URIRef(W + "work/rivera-2024"), PRISM.pageRange) == Literal("e70100")
    assert passage_of(graph, W + "work/rivera-2024")[:2] == (30, "record 3")
    line, locator, text = passage_of(graph, W + "work/odegard-2019")
    assert (line, locator) == (19, "record 2") and text.startswith("TY  - CHAP\n") and text.endswith("ER  - ")


def test_bibtex_entries_with_latex_accents_and_a_chapter(built):
    outcome, graph = dry(built, "library.bib")
    assert outcome.decisions == ["metasynthesis-2013: PMID 23477647: the same PMID as the graph's work"]
    chapter = URIRef(W + "work/lefevre-2021")
    assert authors(graph, "work/lefevre-2021") == ["Lefèvre F", "Müller J"]
    assert authors_in_order(graph, "work/lefevre-2021") == ["Lefèvre F", "Müller J"]
    assert graph.value(chapter, PKG.authorsAsWritten) == Literal("Lefèvre, François; Müller, Jörg")
    assert (graph.value(chapter, RDF.type), graph.value(chapter, PRISM.publicationName)) == (FABIO.BookChapter, Literal("Handbook of Peer Support"))
    assert passage_of(graph, chapter)[:2] == (14, "entry lefebvre2021")
    # the matched work keeps the graph's title; the file's differing title is named in the evidence
    assert str(graph.value(URIRef(W + "work/metasynthesis-2013"), DCTERMS.title, default="")) == ""
    comment = str(graph.value(URIRef(W + "match/metasynthesis-2013/library-5a168ce3"), URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))
    assert "kept the graph's dcterms:title 'Peer Support in Adult Mental Health Services" in comment


def test_medline_records_with_continued_fields_and_e_pages(built):
    outcome, graph = dry(built, "records.medline")
    okafor = URIRef(W + "work/okafor-2025")
    assert graph.value(okafor, PKG.authorsAsWritten) == Literal("Okafor CN, van der Berg H")
    assert authors(graph, "work/okafor-2025") == ["Okafor CN", "van der Berg H"]
    assert authors_in_order(graph, "work/okafor-2025") == ["Okafor CN", "van der Berg H"]
    assert (graph.value(okafor, FABIO.hasPubMedId), graph.value(okafor, PRISM.doi), graph.value(okafor, PRISM.pageRange)) == (
        Literal("39999991"), Literal("10.1111/inm.13400"), Literal("e13400"))
    assert passage_of(graph, okafor)[:2] == (17, "record 2 (PMID 39999991)")


def test_pubmed_xml_article_with_its_reference_list(built):
    outcome, graph = dry(built, "pubmed.xml")
    work = URIRef(W + "work/bjork-2025")
    assert (graph.value(work, FABIO.hasPubMedCentralId), graph.value(work, PRISM.doi)) == (Literal("PMC11999992"), Literal("10.5555/jpw.2025.0012"))
    assert authors(graph, "work/bjork-2025") == ["Björk E", "Jacobson N"]
    assert authors_in_order(graph, "work/bjork-2025") == ["Björk E", "Jacobson N"]
    assert set(graph.objects(work, CITO.cites)) == {URIRef(W + "work/davidson-2006"), URIRef(W + "work/metasynthesis-2013")}
    entry = URIRef(W + "reference/bjork-2025/2")
    assert graph.value(entry, BIRO.references) == URIRef(W + "work/metasynthesis-2013")
    line, locator, text = passage_of(graph, entry)
    assert (line, locator) == (35, "reference 2") and text.strip().startswith("<Reference>") and text.strip().endswith("</Reference>")
    assert len(outcome.decisions) == 2


def test_csl_json_items_and_an_organisation_as_author(built):
    _, graph = dry(built, "records.json")
    report = URIRef(W + "work/national-peer-network-2010")
    assert (graph.value(report, RDF.type), graph.value(report, PKG.authorsAsWritten)) == (FABIO.Expression, Literal("National Peer Network"))
    assert list(graph.objects(report, DCTERMS.creator)) == []
    assert passage_of(graph, W + "work/rivera-2024")[:2] == (2, "item 1 (rivera2024)")
    assert graph.value(URIRef(W + "work/rivera-2024"), FABIO.hasPublicationYear) == Literal("2024", datatype=XSD.gYear)


def test_jats_article_with_structured_references(built):
    outcome, graph = dry(built, "article.jats.xml")
    work = URIRef(W + "work/o-brien-2023")
    assert authors(graph, "work/o-brien-2023") == ["Nakamura K", "O'Brien SM"]  # the editor is no author
    assert authors_in_order(graph, "work/o-brien-2023") == ["O'Brien SM", "Nakamura K"]
    assert (graph.value(work, PRISM.pageRange), graph.value(work, FABIO.hasPubMedCentralId)) == (Literal("301–312"), Literal("PMC10000042"))
    assert outcome.decisions == ["mowbray-1998: DOI 10.1007/BF02287510: the same DOI as the graph's work"]
    book = URIRef(W + "work/deegan-1996")
    assert (graph.value(book, RDF.type), graph.value(book, DCTERMS.title)) == (FABIO.Book, Literal("Recovery as a journey of the heart"))


@pytest.mark.parametrize("suffix", ["csv", "tsv", "xlsx"])
def test_an_extraction_sheet_gives_studies_and_informants(built, tmp_path, suffix):
    import csv

    rows = list(csv.reader((DATA / "studies.csv").read_text(encoding="utf-8").splitlines(keepends=True)))
    path = tmp_path / f"studies.{suffix}"
    if suffix == "tsv":
        path.write_text("".join("\t".join(cell.replace("\n", " ") for cell in row) + "\n" for row in rows), encoding="utf-8")
    elif suffix == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        for row in rows:
            book.active.append([int(c) if c.isdigit() else c for c in row])
        book.save(path)
    else:
        shutil.copy(DATA / "studies.csv", path)
    outcome = imports.run(built, [(str(path), path.read_bytes())], dry_run=True, fmt="ntriples")
    graph = Graph().parse(data=outcome.data, format="nt")
    study = URIRef(W + "study/rivera-2024")
    sizes = {str(graph.value(g, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))): graph.value(g, PKG.sampleSize).toPython()
             for g in graph.objects(study, PKG.hasInformantGroup)}
    assert sizes == {"Peer support workers": 12, "other team members": 8}
    assert set(graph.objects(study, PKG.dataCollectionMethod)) == {URIRef(W + "method/semi-structured-interviews"), URIRef(W + "method/focus-groups")}
    assert graph.value(URIRef(W + "work/rivera-2024"), PRISM.doi) == Literal("10.1186/s12888-024-00001-x")
    assert len(set(graph.subjects(RDF.type, PKG.QualitativeStudy))) == 2
    line, locator, _ = passage_of(graph, W + "study/odegard-2019")
    assert (line, locator) == ((3, "row 3") if suffix == "csv" else (3, "sheet 1, row 3") if suffix == "xlsx" else (3, "row 3"))


def test_a_study_table_of_another_review_names_its_own_table(built):
    """Table 2 of another review, its caption and title on one line: the caption names the table in the locators."""
    outcome, graph = dry(built, "review-table2.txt")
    stem = outcome.documents[0].stem
    assert [(d.kind, stem, d.triples) for d in outcome.documents] == [("study-table", "review-table2-36acffd1", 135)]
    assert (outcome.decisions, outcome.report["conforms"]) == ([], True)
    assert len(set(graph.subjects(RDF.type, PKG.QualitativeStudy))) == 3
    assert len(set(graph.subjects(RDF.type, PKG.InformantGroup))) == 5
    assert sorted((graph.value(p, PKG.line).toPython(), str(graph.value(p, PKG.locator)))
                  for p in graph.subjects(RDF.type, PKG.SourcePassage)) == [
        (2, "citation line"), (7, "Table 2, row 1"), (8, "Table 2, row 2"), (9, "Table 2, row 3")]
    lines = (DATA / "review-table2.txt").read_text(encoding="utf-8").splitlines()
    assert passage_of(graph, W + "study/walsh-2020") == (9, "Table 2, row 3", lines[8])
    assert passage_of(graph, W + "study/lindqvist-2018")[:2] == (8, "Table 2, row 2")
    document = URIRef(W + f"document/{stem}")
    assert graph.value(document, DCTERMS.title) == Literal(
        "Table 2. Qualitative studies of peer support workers in inpatient and community teams")
    assert graph.value(URIRef(W + f"reference/{stem}/21"), BIRO.references) == URIRef(W + "work/walsh-2020")
    walsh = URIRef(W + "study/walsh-2020")
    sizes = {str(graph.value(g, RDFS.label)): graph.value(g, PKG.sampleSize).toPython() for g in graph.objects(walsh, PKG.hasInformantGroup)}
    assert sizes == {"Peer providers": 18, "other team members": 22}
    assert graph.value(URIRef(W + f"work/{stem}"), PRISM.doi) == Literal("10.5555/ijmhn.2021.0118")


def test_a_study_table_row_that_does_not_read_names_its_table_and_line(built):
    text = (DATA / "review-table2.txt").read_text(encoding="utf-8").replace("Supervisors (n=14).", "Fourteen supervisors.")
    with pytest.raises(SeedError, match=r"^table2\.txt:8: a Table 2 row does not read as 'Authors Year \[ref\]"):
        imports.run(built, [("table2.txt", text.encode())], dry_run=True)
    with pytest.raises(SeedError, match=r"^table2\.txt:6: expected the table's caption above the column header: 'Table N\.'"):
        imports.run(built, [("table2.txt", text.replace("Table 2.", "Tab. 2.").encode())], kind="study-table", dry_run=True)
    with pytest.raises(SeedError, match=r"^table2\.txt:2: expected the review's citation line above the caption, as "
                                        r"'Journal\. 2012 Apr 16;8\(2\):22–29\. doi: 10\.…' \(NLM\) or 'Authors \(2021\)"):
        imports.run(built, [("table2.txt", text.replace(";30:118", ", 30:118").encode())], dry_run=True)
    with pytest.raises(SeedError, match=r"^table2\.txt:4: expected the column header 'Study Focused Theme Informant Method Conclusion' under"):
        imports.run(built, [("table2.txt", text.replace("Study Focused Theme", "Study Theme").encode())], kind="study-table", dry_run=True)


def test_a_study_table_with_an_apa_citation_and_a_caption_with_a_colon(built):
    """Table 5 of a third review: a journal's name above an APA citation line, 'TABLE 5:' and its title on one line."""
    outcome, graph = dry(built, "review-table5.txt")
    stem = outcome.documents[0].stem
    assert [(d.kind, stem, d.triples) for d in outcome.documents] == [("study-table", "review-table5-dbaf8f93", 94)]
    assert (outcome.decisions, outcome.report["conforms"]) == ([], True)
    review = URIRef(W + f"work/{stem}")
    assert {str(p): str(o) for p, o in graph.predicate_objects(review) if p.startswith(str(PRISM)) or p == FABIO.hasPublicationYear} == {
        str(FABIO.hasPublicationYear): "2022", str(PRISM.volume): "28", str(PRISM.issueIdentifier): "4",
        str(PRISM.pageRange): "301–315", str(PRISM.doi): "10.5555/jpp.2022.0301"}
    assert passage_of(graph, review)[:2] == (3, "citation line")
    assert graph.value(URIRef(W + f"document/{stem}"), DCTERMS.title) == Literal("TABLE 5: Characteristics of the included qualitative studies")
    assert [passage_of(graph, W + f"study/{key}")[:2] for key in ("okafor-2019", "brandt-2021")] == [(8, "Table 5, row 1"), (9, "Table 5, row 2")]
    # the same table under an NLM citation with an issue and a month but no day: no publication date
    text = (DATA / "review-table5.txt").read_text(encoding="utf-8").splitlines()
    text[2] = "J Psychiatr Pract. 2022 Jul;28(4):301-315. doi:10.5555/jpp.2022.0301"
    graph, _ = imports.read(built, [("table5.txt", "\n".join(text).encode())], "study-table")
    article = next(graph.subjects(RDF.type, FABIO.JournalArticle))
    assert [graph.value(article, p) for p in (PRISM.volume, PRISM.issueIdentifier, PRISM.pageRange, PRISM.doi, PRISM.publicationDate)] == [
        Literal("28"), Literal("4"), Literal("301-315"), Literal("10.5555/jpp.2022.0301"), None]


THEMES4 = "themes-table4-8596e082"  # the stem of tests/data/import/themes-table4.txt


def test_a_theme_table_of_another_review_names_its_own_table(built):
    """Table 4 of another umbrella review: two categories, three themes, a line with no valence, a continued paragraph."""
    graph, documents = imports.read(built, files("themes-table4.txt"), None)
    assert [(d.kind, d.stem, d.triples) for d in documents] == [("theme-table", THEMES4, 266)]
    counts = {kind: len(set(graph.subjects(RDF.type, PKG[kind]))) for kind in ("ThemeCategory", "Theme", "ValenceStatement", "Finding")}
    assert counts == {"ThemeCategory": 2, "Theme": 3, "ValenceStatement": 4, "Finding": 5}
    located = sorted((graph.value(p, PKG.line).toPython(), str(graph.value(p, PKG.locator))) for p in graph.subjects(RDF.type, PKG.SourcePassage))
    assert len(located) == 18 and located[:3] == [(3, "caption"), (11, "Table 4, category 1"), (13, "Table 4, theme 'Being accepted by the team'")]
    assert located[-4:] == [(37, "Table 4, theme 'Disclosure and boundaries', no valence line"),
                            (39, "Table 4, theme 'Disclosure and boundaries', no valence, PSWs paragraph"),
                            (41, "Table 4, footnote 1"), (42, "Table 4, footnote 2")]
    mixed = URIRef(W + f"finding/{THEMES4}/role-ambiguity/challenge/mixed")
    assert sorted(graph.value(p, PKG.line).toPython() for p in graph.objects(mixed, PROV.wasDerivedFrom)) == [29, 31]
    assert str(graph.value(mixed, PKG.stakeholdersAsWritten)) == "PSWs, non-peer staff, Mental health organisations"
    theme = URIRef(W + f"theme/{THEMES4}/role-ambiguity")
    assert str(graph.value(theme, SKOS.scopeNote)).startswith(
        "A theme of Table 4 of the umbrella review; ")
    assert passage_of(graph, theme) == (25, "Table 4, theme 'Role ambiguity'", "\u2003Role ambiguity")


@pytest.mark.parametrize("called, kind, named", [
    ("an umbrella review of qualitative evidence", PKG.UmbrellaReview, "the umbrella review"),
    ("a systematic review of qualitative evidence", PKG.Review, "the review"),
    ("a literature review", PKG.Review, "the review"),
    ("a meta-synthesis of qualitative studies", PKG.QualitativeMetasynthesis, "the metasynthesis"),
])
def test_a_theme_tables_review_is_what_its_title_says(built, called, kind, named):
    """Typed by the 'From:' line's title, and so named in the scope notes; a plain review conforms beside the seeds."""
    text = (DATA / "themes-table4.txt").read_text(encoding="utf-8").replace("an umbrella review of qualitative evidence", called)
    graph, documents = imports.read(built, [("table4.txt", text.encode())], "theme-table")
    stem = documents[0].stem
    assert set(graph.objects(URIRef(W + f"study/{stem}"), RDF.type)) == {kind}
    assert str(graph.value(URIRef(W + f"theme/{stem}/role-ambiguity"), SKOS.scopeNote)).startswith(f"A theme of Table 4 of {named}; ")
    if kind == PKG.Review and called.startswith("a systematic"):
        assert imports.run(built, [("table4.txt", text.encode())], dry_run=True).report["conforms"] is True


def test_a_theme_table_of_another_review_has_its_own_scheme_and_themes(writable, kg):
    """Its concepts are minted within its review's key: its 'Role ambiguity' is not the seed's, its scheme
    not the seed's scheme/umbrella-themes; it validates beside the seeds, and importing it twice is once."""
    first = imports.run(writable, files("themes-table4.txt"), agent="alice")
    assert (first.created, first.triples, first.decisions) == (True, 266, [])
    again = imports.run(writable, files("themes-table4.txt"), agent="alice")
    assert again.unchanged and again.commit is None
    current = store.open_current(writable.data_dir)
    triples = [q.triple for q in current.quads(ox.NamedNode(first.graph))]
    graph = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    scheme, review = URIRef(W + f"scheme/{THEMES4}-themes"), URIRef(W + f"work/{THEMES4}")
    assert set(graph.subjects(RDF.type, SKOS.ConceptScheme)) == {scheme}
    assert (graph.value(scheme, DCTERMS.title), graph.value(scheme, DCTERMS.source)) == (Literal(
        "Themes of Table 4 of Peer support work in community mental health: an umbrella review of qualitative evidence",
        lang="en"), review)
    themes = {str(t)[len(W):]: str(graph.value(t, SKOS.prefLabel)) for t in graph.subjects(RDF.type, PKG.Theme)}
    assert themes == {f"theme/{THEMES4}/being-accepted-by-the-team": "Being accepted by the team",
                      f"theme/{THEMES4}/role-ambiguity": "Role ambiguity",
                      f"theme/{THEMES4}/disclosure-and-boundaries": "Disclosure and boundaries"}
    assert set(graph.objects(None, SKOS.inScheme)) == {scheme}
    assert set(graph.subjects(SKOS.topConceptOf, scheme)) == {URIRef(W + f"theme-category/{THEMES4}/working-alongside-non-peer-staff"),
                                                             URIRef(W + f"theme-category/{THEMES4}/looking-after-oneself")}
    # the seed's theme of the same label is untouched: one scheme, one category, the seed's statements only
    seed_theme = ox.NamedNode(W + "theme/role-ambiguity")
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert [q.object.value for q in current.quads_for_pattern(seed_theme, ox.NamedNode(skos + "inScheme"), None, None)] == [
        W + "scheme/umbrella-themes"]
    assert [q.object.value for q in current.quads_for_pattern(seed_theme, ox.NamedNode(skos + "broader"), None, None)] == [
        W + "theme-category/confusion-over-the-psw-role"]
    assert {q.graph_name.value for q in current.quads_for_pattern(None, ox.NamedNode(str(PKG.theme)), seed_theme, None)} == {
        str(iris.graph("umbrella_table6"))}
    # the canned queries on the themes answer for the seed's table as before, and for this one when asked
    from peerkg import queries

    for name in ("table6", "evidence_map", "opposite_valence", "valence_reference_disagreements", "challenges_for_psws",
                 "findings_by_sample_group", "mixed_sample_stakeholders"):
        canned = queries.get(PROJECT_ROOT / "queries", name)
        assert rows(canned.run(current, {})) == rows(canned.run(kg, {})), name
    table4 = rows(queries.get(PROJECT_ROOT / "queries", "table6").run(current, {"scheme": f"id/scheme/{THEMES4}-themes"}))
    assert [(r["theme"], r["valence"], r["valence_refs"], r["sample_group"], r["group_refs"]) for r in table4] == [
        ("Being accepted by the team", "Benefit", "14, 22", "PSWs", "14, 22"),
        ("Being accepted by the team", "Benefit", "14, 22", "Non-peer staff", "22"),
        ("Being accepted by the team", "Challenge", "9", "PSWs", "9"),
        ("Role ambiguity", "Challenge", "9, 14, 30", "Mixed", "9, 30"),
        ("Disclosure and boundaries", None, "30", "PSWs", "30")]
    # and the new theme has its page, with its label, its category and the line it was read from
    from peerkg.web import create_app

    client = create_app({"TESTING": True, "DATA_DIR": str(writable.data_dir)}).test_client()
    page = client.get(f"/id/theme/{THEMES4}/role-ambiguity.html")
    assert page.status_code == 200, page.text
    assert "<h1>Role ambiguity</h1>" in page.text
    assert f'<a href="/id/theme-category/{THEMES4}/working-alongside-non-peer-staff">Working alongside non-peer staff</a>' in page.text
    assert "themes-table4.txt</a>, Table 4, theme &#39;Role ambiguity&#39;, line 25" in page.text


def test_several_files_are_matched_each_on_its_own_into_one_graph(built):
    """Each document's works are matched against the graph by themselves: the evidence of a match is in the
    document whose work matched, and the graph holds what the two files give apart (135 and 77 triples)."""
    outcome = imports.run(built, files("library.ris", "records.medline"), graph_name="batch", dry_run=True, fmt="ntriples")
    assert (outcome.graph, outcome.triples) == ("https://w3id.org/peerkg/graph/curated/batch", 212)
    assert outcome.decisions == ["mowbray-1996: DOI 10.1007/BF02249367: the same DOI as the graph's work",
                                 "metasynthesis-2013: PMID 23477647: the same PMID as the graph's work"]
    graph = Graph().parse(data=outcome.data, format="nt")
    assert set(graph.subjects(RDF.type, PKG.WorkMatch)) == {URIRef(W + "match/mowbray-1996/library-a5158ecb"),
                                                            URIRef(W + "match/metasynthesis-2013/records-dab607ee")}


# --- the seeds through import ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", seeds.manifest(PROJECT_ROOT / "seeds"), ids=lambda s: s.stem)
def test_importing_a_seed_with_its_kind_gives_the_builds_graph(built, kg, seed):
    """A seed is known by its SHA-256 and keeps its stem: its reader gives exactly the build's named graph."""
    graph, documents = imports.read(built, [(str(seed.path), seed.path.read_bytes())], seed.parser.KIND)
    imported = {q.triple for q in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)}
    assert imported == {q.triple for q in kg.quads(ox.NamedNode(str(iris.graph(seed.stem))))}
    assert documents[0].stem == seed.stem
    # the kind is detected from the content, and the import validates in the context of the graph
    outcome = imports.run(built, [(seed.file, seed.path.read_bytes())], dry_run=True)
    assert outcome.documents[0].kind == seed.parser.KIND and outcome.report["conforms"] is True


# --- commits: all or nothing, and twice is once ---------------------------------------------------------------


def test_an_import_is_committed_once_and_a_second_import_changes_nothing(writable):
    first = imports.run(writable, files("library.ris"), agent="alice")
    assert first.created and first.triples == 135 and first.commit.startswith(W + "commit/")
    version = store.current_version(writable.data_dir)
    again = imports.run(writable, files("library.ris"), agent="alice")
    assert again.unchanged and again.commit is None and store.current_version(writable.data_dir) == version
    current = store.open_current(writable.data_dir)
    assert len(list(current.quads(ox.NamedNode(first.graph)))) == 135  # 93, and 4 per authorship (10 authors) and 2 for the publisher organisation


def test_a_violation_writes_nothing(writable):
    before = store.current_version(writable.data_dir)
    bad = ("bad-method.csv", b"study,year,informants,method\nRivera et al.,2024,Nurses (n=3),Telepathy\n")
    with pytest.raises(SeedError, match=r"bad-method.csv:2: row 2, column D \(method\): 'Telepathy' is not in the methods vocabulary"):
        imports.run(writable, [bad])
    assert store.current_version(writable.data_dir) == before


def test_a_report_names_the_document_and_line_each_result_was_read_from(writable):
    """Of two files, the one at fault and its line: not a line of the N-Triples the import generated."""
    before = store.current_version(writable.data_dir)
    with pytest.raises(ValidationFailed) as refused:
        imports.run(writable, files("library.ris", "none-asked.csv"), graph_name="batch", dry_run=True)
    (group,) = refused.value.details["report"]["groups"]
    assert (group["path_short"], [(r["file"], r["line"]) for r in group["results"]]) == ("pkg:sampleSize", [("none-asked.csv", 2)])
    done = CliRunner().invoke(main, ["-q", "--data-dir", str(writable.data_dir), "import", str(DATA / "library.ris"),
                                     str(DATA / "none-asked.csv"), "--graph", "batch"])
    assert done.exit_code == 1
    assert (f"  none-asked.csv:2: <{W}study/rivera-2024/informants/peer-support-workers> (Peer support workers) "
            'value "0"^^<http://www.w3.org/2001/XMLSchema#integer>\n') in done.output, done.output
    assert store.current_version(writable.data_dir) == before


# --- bad input: the file, the line and what was expected ---------------------------------------------------


@pytest.mark.parametrize(("name", "message"), [
    ("unterminated.ris", r"unterminated.ris:1: record 1 has no 'ER  - ' line"),
    ("broken.bib", r"broken.bib:7: a BibTeX entry with a syntax error.*expected '@type\{key"),
    ("broken.json", r"broken.json:4: not JSON: Expecting ',' delimiter"),
    ("missing-method.csv", r"missing-method.csv:3: row 3, column D \(method\) is empty: expected the data collection methods"),
    ("unknown-role.csv", r"^unknown-role.csv:4: row 3, column D \(informants\): 'housing officers' is not in the informant roles "
                         r"vocabulary \(vocab/informant-roles.ttl\): expected one of its labels$"),
    ("unknown-kind.txt", r"unknown-kind.txt: not a document of any known kind. Expected one of: article-with-references"),
])
def test_bad_input_names_file_line_and_what_was_expected(built, name, message):
    with pytest.raises((SeedError, UserInputError, UnsupportedMediaType), match=message):
        imports.run(built, files(name), dry_run=True)


def test_a_reference_line_the_reader_cannot_split(built):
    text = (PROJECT_ROOT / "seeds" / "003_271100d76ceb042c.txt").read_text().replace(
        "1. Davidson L, Chinman M", "1. Davidson L Chinman M: no full stop after the authors", 1)
    with pytest.raises(SeedError, match=r"references.txt:19: an author list mixes persons and other names"):
        imports.run(built, [("references.txt", text.encode())], kind="article-with-references", dry_run=True)


def test_the_command_writes_a_dry_run_in_any_format(built, tmp_path):
    out = tmp_path / "out.nq"
    done = CliRunner().invoke(main, ["-q", "--data-dir", str(built.data_dir), "import", str(DATA / "records.medline"),
                                     "--dry-run", "--format", "nquads", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "dry run: 77 triples for https://w3id.org/peerkg/graph/curated/records conform" in done.output
    assert len(out.read_text().splitlines()) == 77  # 4 triples per authorship of its 4 authors
    refused = CliRunner().invoke(main, ["-q", "--data-dir", str(built.data_dir), "import", str(DATA / "broken.bib")])
    assert refused.exit_code == 1 and "broken.bib:7: a BibTeX entry with a syntax error" in refused.output


def test_the_readme_import_session_works_as_printed(built, tmp_path):
    """The README's import session, line by line, against a live server."""
    import json
    import os
    import re
    import shlex
    import subprocess
    import sys

    from conftest import serving

    readme = (PROJECT_ROOT / "README.md").read_text()
    session = re.findall(r"```shell\n(.*?)```", readme, re.DOTALL)[1].splitlines()
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    outputs = []
    with serving(data, env={"PEERKG_TOKENS": "alice:import-token"}) as url:
        env = os.environ | {"PEERKG_DATA": str(data), "PEERKG_TOKEN": "import-token"}
        for line in session:
            command = line.replace("http://127.0.0.1:8000", url)
            command = command.replace(".venv/bin/peerkg", shlex.quote(sys.executable) + " -m peerkg.cli -q")
            if command.startswith("curl "):
                command += " --silent --show-error --fail"
            done = subprocess.run(["bash", "-c", command], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
            outputs.append((done.returncode, done.stdout))
    assert [code for code, _ in outputs] == [0] * 8, outputs
    assert "created https://w3id.org/peerkg/graph/curated/library: 135 triples" in outputs[0][1]
    assert "unchanged: https://w3id.org/peerkg/graph/curated/library holds these 135 triples already" in outputs[1][1]
    posted = json.loads(outputs.pop(2)[1])
    assert (posted["graph"], posted["result"], posted["triples"]) == (W.replace("id/", "graph/curated/records"), "created", 77)
    assert outputs[2][1].splitlines() == ["title", "Peer support work on acute wards: a survey"]
    assert '"Peer workers in Nordic mental health services"' in outputs[3][1] and "Nuñez-García JL" in outputs[3][1]
    assert outputs[4][1].startswith("removed https://w3id.org/peerkg/graph/curated/library")
    assert not store.open_current(data).contains_named_graph(ox.NamedNode(W.replace("id/", "graph/curated/library")))
    assert f"created {W.replace('id/', 'graph/curated/themes-table4')}: 266 triples" in outputs[5][1]
    import csv

    table = list(csv.reader(outputs[6][1].splitlines(keepends=True)))
    assert table[0] == ["scheme", "category", "theme", "valence", "valence_refs", "sample_group", "group_refs", "summary", "stakeholders"]
    assert [row[1:7] for row in table[1:]] == [
        ["Working alongside non-peer staff", "Being accepted by the team", "Benefit", "14, 22", "PSWs", "14, 22"],
        ["Working alongside non-peer staff", "Being accepted by the team", "Benefit", "14, 22", "Non-peer staff", "22"],
        ["Working alongside non-peer staff", "Being accepted by the team", "Challenge", "9", "PSWs", "9"],
        ["Working alongside non-peer staff", "Role ambiguity", "Challenge", "9, 14, 30", "Mixed", "9, 30"],
        ["Looking after oneself", "Disclosure and boundaries", "", "30", "PSWs", "30"]]
    assert {row[0] for row in table[1:]} == {f"{W}scheme/{THEMES4}-themes"}
