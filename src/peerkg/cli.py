"""The ``peerkg`` command: a thin click layer over the library. Library errors become clear messages."""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import click

from . import __version__, build as building, exports, formats, queries, shapes, store
from .config import Settings
from .errors import PeerkgError


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
@click.option("-q", "--quiet", is_flag=True, help="Only print results and errors, not progress.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, quiet: bool) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s", stream=sys.stderr)
    ctx.obj = Settings(data_dir=data_dir) if data_dir else Settings()


@main.command(help="Parse the seeds, validate the graph against the shapes and publish a new on-disk store.")
@click.option("--if-needed", is_flag=True, help="Do nothing when the published store was built from the same inputs.")
@click.pass_obj
@_errors
def build(settings: Settings, if_needed: bool) -> None:
    if if_needed and building.is_current(settings):
        click.echo(f"Store in {settings.data_dir} is up to date with the seeds, vocabularies, ontology, shapes and code.")
        return
    result = building.build(settings)
    click.echo(f"Built store version {result.version} in {settings.data_dir}")
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

    if store_dir is not None:
        store.EmbeddedStore(store_dir)  # fail now, with a clear message, if it is not a store
    else:
        store.open_current(settings.data_dir)
    config = {"DATA_DIR": str(settings.data_dir), "STORE": str(store_dir) if store_dir else None, "QUERY_TIMEOUT": query_timeout}
    click.echo(f"Serving http://{host}:{port}/sparql ({workers} workers)", err=True)
    run_server(host, port, workers, query_timeout, config)


@main.command(help="Counts of triples per named graph and of resources per class.")
@click.pass_obj
@_errors
def stats(settings: Settings) -> None:
    current = store.open_current(settings.data_dir)
    for name in ("stats_graphs", "stats_classes"):
        query = queries.get(settings.queries_dir, name)
        click.echo(f"{query.title}:")
        click.echo(formats.table(query.run(current)))


@main.command(help="Run a SPARQL query (text, a .rq file, or the name of a canned query) against the store.")
@click.argument("query")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"]), default="table", show_default=True)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A canned query's parameter.")
@click.pass_obj
@_errors
def query(settings: Settings, query: str, fmt: str, params: tuple[str, ...]) -> None:
    current = store.open_current(settings.data_dir)
    malformed = [param for param in params if "=" not in param]
    if malformed:
        raise click.BadParameter(f"{malformed[0]!r} is not NAME=VALUE", param_hint="--param")
    values = dict(param.split("=", 1) for param in params)
    if Path(query).suffix == ".rq":
        if not Path(query).exists():
            raise click.BadParameter(f"no such file: {query}", param_hint="QUERY")
        results = queries.parse(Path(query)).run(current, values)
    elif (settings.queries_dir / f"{query}.rq").exists():
        results = queries.get(settings.queries_dir, query).run(current, values)
    else:
        results = current.query(query)
    click.echo(formats.render(results, fmt), nl=False)


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
        written = exports.write(store.open_current(settings.data_dir), all_dir, settings)
        click.echo(f"wrote {len(written)} files, {sum(f.size for f in written):,} bytes, to {all_dir}", err=True)
        return
    data = formats.dump(store.open_current(settings.data_dir), fmt)
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        click.echo(data, nl=False) if isinstance(data, str) else sys.stdout.buffer.write(data)


@main.command(help="Validate RDF files against the shapes (with the ontology); exit 1 on violations.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@click.pass_obj
@_errors
def validate(settings: Settings, files: tuple[Path, ...], fmt: str) -> None:
    data = formats.read_files(files)
    ontology = formats.read_files([settings.ontology_path])
    report = shapes.check(data, shapes.load(settings.shapes_dir), ontology)
    if fmt == "json":
        click.echo(json.dumps({"conforms": report.conforms, "results": [r.__dict__ for r in report.results]}, indent=2))
    elif fmt == "turtle":
        click.echo(report.graph.serialize(format="turtle"))
    else:
        click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
