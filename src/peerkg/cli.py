"""The ``peerkg`` command: a thin click layer over the library. Library errors become clear messages."""

from __future__ import annotations

import functools
import getpass
import json
import logging
import sys
from pathlib import Path

import click
import pyoxigraph as ox

from . import __version__, backends, build as building, exports, formats, guard, iris, queries, readers, store
from .backends import Limits, Query
from .config import Settings
from .errors import PeerkgError, UserInputError, ValidationFailed


def _errors(command):
    """Turn the project's errors into a message and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PeerkgError as error:
            raise click.ClickException(error.message) from None

    return wrapper


@click.group(help="peerkg: the Peer Support Knowledge Graph.")
@click.version_option(__version__, prog_name="peerkg")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PEERKG_DATA",
    default=None,
    help="Where the store lives (env PEERKG_DATA; default ./data in the project).",
)
@click.option("--backend", envvar="PEERKG_BACKEND", metavar="DIR|URL",
              help="The store: a directory for the embedded Oxigraph store (default: the data directory), or a "
                   "SPARQL 1.1 engine's query endpoint (http(s) URL). Env PEERKG_BACKEND.")
@click.option("--backend-update", envvar="PEERKG_BACKEND_UPDATE", metavar="URL",
              help="The engine's SPARQL 1.1 Update endpoint; without it the engine is only read. Env PEERKG_BACKEND_UPDATE.")
@click.option("--backend-store", envvar="PEERKG_BACKEND_STORE", metavar="URL",
              help="The engine's Graph Store Protocol endpoint, if it has one. Env PEERKG_BACKEND_STORE.")
@click.option("--backend-user", envvar="PEERKG_BACKEND_USER", help="User for the engine's HTTP Basic or Digest "
              "authentication. Env PEERKG_BACKEND_USER.")
@click.option("--backend-password", envvar="PEERKG_BACKEND_PASSWORD", help="Its password. Env PEERKG_BACKEND_PASSWORD.")
@click.option("-q", "--quiet", is_flag=True, help="Only print results and errors, not progress.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, backend: str | None, backend_update: str | None,
         backend_store: str | None, backend_user: str | None, backend_password: str | None, quiet: bool) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s", stream=sys.stderr)
    remote = bool(backend) and backend.startswith(("http://", "https://"))
    if backend and not remote and data_dir is None:
        data_dir = Path(backend)  # an embedded store's directory is its data directory
    ctx.obj = Settings(**({"data_dir": data_dir} if data_dir else {}), backend=backend if remote else None,
                       backend_update=backend_update, backend_store=backend_store, backend_user=backend_user,
                       backend_password=backend_password)


# The CLI's own queries: a person at a terminal, not a client of a public endpoint.
CLI_LIMITS = Limits(timeout=3600.0, max_bytes=2**40)


def _render(backend, text: str, bindings: tuple, fmt: str) -> str:
    """A query's result as the CLI prints it (a table by default)."""
    checked = guard.check(text)
    if checked.graph_result:
        name = "turtle" if fmt == "table" else fmt
        if name not in formats.RDF:
            raise UserInputError(f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt}; use turtle or ntriples")
    else:
        name = "json" if fmt == "table" else fmt
        if name not in formats.RESULTS:
            raise UserInputError(f"a SELECT or ASK result cannot be written as {fmt}; use table, csv, tsv, json or xml")
    body = backend.query(Query(checked.text, name, bindings, union_default=not checked.has_dataset), CLI_LIMITS)
    if fmt == "table" and not checked.graph_result:
        return formats.render(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), "table")
    return body.decode()


def _bindings(query: queries.CannedQuery, values: dict[str, str]) -> tuple:
    return tuple(sorted((variable.value, term) for variable, term in query.substitutions(values).items()))


def _published(settings: Settings):
    """The backend, which must hold a graph: what export writes."""
    backend = backends.open(settings)
    if backend.version() is None:
        raise PeerkgError(f"{backend.name} holds no graph yet: run 'peerkg build' first")
    return backend


@main.command(help="Parse the seeds, validate the graph against the shapes and publish a new version, with its download files.")
@click.option("--if-needed", is_flag=True, help="Do nothing when the published store was built from the same inputs.")
@click.pass_obj
@_errors
def build(settings: Settings, if_needed: bool) -> None:
    backend = backends.open(settings)
    if if_needed and building.is_current(settings, backend):
        click.echo(f"The graph in {backend.name} is up to date with the seeds, vocabularies, ontology, shapes and code.")
        return
    result = building.build(settings, backend)
    exports.publish(backend, settings)
    click.echo(f"Built version {result.version} in {backend.name}")
    for graph, count in result.graphs.items():
        click.echo(f"  {count:6d}  {graph}")


@main.command(help="Serve the SPARQL endpoint and the site under gunicorn (several worker processes).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Serve this Oxigraph store directory instead of the data directory's current build.")
@click.option("--query-timeout", default=30.0, show_default=True, type=click.FloatRange(0.1), envvar="PEERKG_QUERY_TIMEOUT",
              help="Seconds a query may run before it is stopped and answered with 503.")
@click.pass_obj
@_errors
def serve(settings: Settings, host: str, port: int, workers: int, store_dir: Path | None, query_timeout: float) -> None:
    from .serve import serve as run_server

    # Fail now, with a clear message, if there is nothing to serve; without opening an embedded store
    # (gunicorn forks this process, and RocksDB's threads would not survive).
    if settings.backend:
        if backends.open(settings).version() is None:
            raise PeerkgError(f"{settings.backend} holds no peerkg graph yet: run 'peerkg --backend {settings.backend} build'")
    else:
        store.require_store(store_dir if store_dir is not None else store.current_version(settings.data_dir))
    from .web.kg import backend_config

    config = {"DATA_DIR": str(settings.data_dir), "STORE": str(store_dir) if store_dir else None, "QUERY_TIMEOUT": query_timeout,
              **backend_config(settings)}
    click.echo(f"Serving http://{host}:{port}/sparql ({workers} workers)", err=True)
    run_server(host, port, workers, query_timeout, config)


@main.command(help="Counts of triples per named graph and of resources per class.")
@click.pass_obj
@_errors
def stats(settings: Settings) -> None:
    backend = backends.open(settings)
    for name in ("stats_graphs", "stats_classes"):
        query = queries.get(settings.queries_dir, name)
        click.echo(f"{query.title}:")
        click.echo(_render(backend, query.text, (), "table"))


@main.command(help="Run a SPARQL query (text, a .rq file, or the name of a canned query) against the store.")
@click.argument("query")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"]), default="table", show_default=True)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A canned query's parameter.")
@click.pass_obj
@_errors
def query(settings: Settings, query: str, fmt: str, params: tuple[str, ...]) -> None:
    backend = backends.open(settings)
    malformed = [param for param in params if "=" not in param]
    if malformed:
        raise click.BadParameter(f"{malformed[0]!r} is not NAME=VALUE", param_hint="--param")
    values = dict(param.split("=", 1) for param in params)
    if Path(query).suffix == ".rq":
        if not Path(query).exists():
            raise click.BadParameter(f"no such file: {query}", param_hint="QUERY")
        canned = queries.parse(Path(query))
        text = _render(backend, canned.text, _bindings(canned, values), fmt)
    elif (settings.queries_dir / f"{query}.rq").exists():
        canned = queries.get(settings.queries_dir, query)
        text = _render(backend, canned.text, _bindings(canned, values), fmt)
    else:
        text = _render(backend, query, (), fmt)
    click.echo(text, nl=False)


@main.command(help="Write the whole dataset (every named graph) in an RDF format, or with --all every download file.")
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(formats.RDF)), default="trig", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
@click.option("--all", "all_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write the files the server offers at /download/ into DIR: every format, gzipped too, the "
                   "ontology, shapes, queries and SHA256SUMS (replacing an earlier export there).")
@click.pass_context
@_errors
def export(ctx: click.Context, fmt: str, output: Path | None, all_dir: Path | None) -> None:
    settings = ctx.obj
    if all_dir is not None:
        if output is not None or ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError("--all writes every format into DIR; leave out --format and --output")
        written = exports.write(_published(settings), all_dir, settings)
        click.echo(f"wrote {len(written)} files, {sum(f.size for f in written):,} bytes, to {all_dir}", err=True)
        return
    data = formats.dump(_published(settings), fmt)
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        click.echo(data, nl=False) if isinstance(data, str) else sys.stdout.buffer.write(data)


@main.command(help="Validate RDF files against the shapes, in the context of the published graph; exit 1 on "
                   "a syntax error or a violation. Nothing is written.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True,
              help="text for people; json (grouped results) or turtle (the W3C validation report) for programs.")
@click.pass_obj
@_errors
def validate(settings: Settings, files: tuple[Path, ...], fmt: str) -> None:
    from .curation import check, report, rules, submission

    backend = backends.open(settings)
    context = backend if backend.version() is not None else None
    if context is None:
        click.echo(f"{backend.name} holds no graph: checking the files without the graph as context", err=True)
    shapes_graph, ontology = rules.load(settings)
    conforms = True
    for path in files:
        submitted = submission.read(path)
        result = check.check(submitted, context, shapes_graph, ontology)
        summary = report.summarize(result, submitted)
        conforms &= result.conforms
        if fmt == "json":
            click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        elif fmt == "turtle":
            click.echo(result.graph.serialize(format="turtle"))
        else:
            click.echo(report.text(summary), nl=False)
    if not conforms:
        sys.exit(1)


@main.command(help="Validate FILE in context and write it into a curated graph as one commit, recorded in the "
                   "curation log. The graph keeps its triples through rebuilds from the seeds.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--graph", "graph_name", required=True, metavar="NAME|IRI",
              help="The curated graph: a name (smith-2024) or its IRI, <base>graph/curated/<name>.")
@click.option("--add", is_flag=True, help="Add to the graph's triples instead of replacing them.")
@click.option("--curator", default=getpass.getuser, show_default="your user name", help="Who is committing, for the log.")
@click.pass_obj
@_errors
def ingest(settings: Settings, file: Path, graph_name: str, add: bool, curator: str) -> None:
    from .curation import commit, report, submission

    submitted = submission.read(file)
    operation = commit.Operation.POST if add else commit.Operation.PUT
    try:
        done = commit.commit(settings, operation, iris.curated_graph(graph_name), submitted, curator)
    except ValidationFailed as failure:
        click.echo(report.text(report.summarize(failure.report, submitted)), nl=False, err=True)
        raise click.ClickException(failure.message) from None
    exports.publish(backends.open(settings), settings)
    verb = "created" if done.created else ("added to" if add else "replaced")
    click.echo(f"{verb} {done.graph}: {done.triples} triples (commit {done.iri})")


@main.command("import", help="Read documents of a known kind (a paper's text with its references, an abstract page, a "
                              "review's study or theme table, a CSV/TSV/XLSX extraction sheet, RIS, BibTeX, MEDLINE, PubMed "
                              "XML, CSL-JSON, JATS) into triples with provenance, match their works to the graph's, validate "
                              "in context and commit them as one curated graph, all or nothing.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(sorted(readers.KINDS)), help="The documents' kind (default: detected from each file's content).")
@click.option("--graph", "graph_name", metavar="NAME|IRI",
              help="The curated graph, <base>graph/curated/<NAME> (default: from the file's name).")
@click.option("--dry-run", is_flag=True, help="Validate in context and write the triples, without committing.")
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(formats.RDF)), default="turtle", show_default=True,
              help="The RDF format of a dry run's triples (nquads and trig name the graph).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where a dry run writes (default stdout).")
@click.option("--curator", default=getpass.getuser, show_default="your user name", help="Who is committing, for the log.")
@click.pass_obj
@_errors
def import_(settings: Settings, files: tuple[Path, ...], kind: str | None, graph_name: str | None, dry_run: bool, fmt: str,
            output: Path | None, curator: str) -> None:
    from .curation import imports, report

    try:
        outcome = imports.run(settings, [(str(path), path.read_bytes()) for path in files], kind=kind, graph_name=graph_name,
                              dry_run=dry_run, fmt=fmt, agent=curator)
    except ValidationFailed as failure:
        click.echo(report.text(failure.details["report"]), nl=False, err=True)
        raise click.ClickException(failure.message) from None
    if outcome.commit:
        exports.publish(backends.open(settings), settings)
    if outcome.data is not None:
        if output:
            output.write_bytes(outcome.data)
        else:
            sys.stdout.buffer.write(outcome.data)
            sys.stdout.flush()
    click.echo(imports.text(outcome), nl=False, err=outcome.data is not None and output is None)


@main.command(help="Remove a curated graph (revert it), as a commit recorded in the curation log.")
@click.argument("graph_name", metavar="NAME|IRI")
@click.option("--curator", default=getpass.getuser, show_default="your user name", help="Who is committing, for the log.")
@click.pass_obj
@_errors
def revert(settings: Settings, graph_name: str, curator: str) -> None:
    from .curation import commit

    done = commit.commit(settings, commit.Operation.DELETE, iris.curated_graph(graph_name), None, curator)
    exports.publish(backends.open(settings), settings)
    click.echo(f"removed {done.graph} (commit {done.iri})")


if __name__ == "__main__":  # pragma: no cover
    main()
