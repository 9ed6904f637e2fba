"""Another article of the seed's kind ``article-with-references`` (tests/data/import/role-description.txt)
imported beside the seeds: its peer role activities, several of the same labels as the job description's."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from peerkg.config import PROJECT_ROOT
from peerkg.curation import imports
from peerkg.errors import ValidationFailed

DATA = PROJECT_ROOT / "tests" / "data" / "import"
W = "https://w3id.org/peerkg/id/"
ROLES = "role-description-896eed8c"  # the stem of tests/data/import/role-description.txt


def files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (DATA / name).read_bytes()) for name in names]


def test_today_its_activities_are_the_seeds_and_it_is_refused_beside_them(built):
    """What goes wrong before role activities are keyed by their article: minted from labels alone, its
    'experiential sharing' is the seed's, which then has two positions, and the import is refused."""
    graph, _ = imports.read(built, files("role-description.txt"), None)
    assert URIRef(W + "role-activity/experiential-sharing") in set(graph.subjects())
    with pytest.raises(ValidationFailed) as refused:
        imports.run(built, files("role-description.txt"), dry_run=True)
    (group,) = [g for g in refused.value.details["report"]["groups"] if g["severity"] == "Violation"]
    assert sorted(r["focus"][len(W):] for r in group["results"]) == [
        "role-activity/experiential-sharing", "role-activity/philosophy-of-work", "role-activity/presence",
        "role-activity/role-modeling", "role-activity/supervision-training"]
