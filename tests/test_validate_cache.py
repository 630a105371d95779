"""stdkg validate --cache: after edits and a rebuild, checking only what changed gives exactly
what a full validation gives."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
import yaml

from conftest import run_stdkg


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def edit(rows: list[dict[str, str]], rng: random.Random, count: int) -> list[dict[str, str]]:
    """Edits of every kind a maintainer makes: statuses, dates, references (a mutual one too),
    counterparts, titles, a row removed, a new edition added."""
    rows = [dict(r) for r in rows]
    picks = rng.sample(range(len(rows)), count)
    for n, index in enumerate(picks):
        row, other = rows[index], rows[rng.randrange(len(rows))]
        match n % 7:
            case 0:
                row["status"] = "废止" if row["status"] == "现行" else "现行"
            case 1:
                row["implemented"], row["issued"] = row["issued"], row["implemented"]
            case 2:
                row["normative_references"] = "; ".join(filter(None, [row["normative_references"], other["number"]]))
            case 3:  # an undated reference each way: a mutual reference between two works
                row["normative_references"] = other["number"].rsplit("-", 1)[0]
                other["normative_references"] = row["number"].rsplit("-", 1)[0]
            case 4:
                row["local_counterpart_of"] = other["number"] if row["region"] else ""
            case 5:
                row["title_zh"] += "（修订）"
            case 6:
                row["normative_references"] = ""
    # Two steps away: abolishing the current edition of a work that a current row cites undated
    # changes that row's result (the undated reference has no current edition left).
    by_work = {}
    for row in rows:
        by_work.setdefault(row["number"].rsplit("-", 1)[0], []).append(row)
    cited = [ref.strip() for row in rows if row["status"] == "现行"
             for ref in row["normative_references"].split(";") if ref.strip() in by_work]
    for work in rng.sample(sorted(set(cited)), min(3, len(set(cited)))):
        for row in by_work[work]:
            row["status"] = "废止"
    removed = rows.pop(picks[-1])
    rows.append({**removed, "number": removed["number"].rsplit("-", 1)[0] + "-2026", "replaces": removed["number"],
                 "issued": "2026-01-05", "implemented": "2026-07-01", "status": "即将实施"})
    return rows


@pytest.mark.parametrize(("seed", "edits"), [(1, 40), (2, 40), (3, 4)])  # few edits: the rechecked area's edge matters
def test_incremental_equals_full_after_edits(tmp_path: Path, seed: int, edits: int) -> None:
    corpus, build, cache = tmp_path / "corpus", tmp_path / "build", tmp_path / "cache"
    assert run_stdkg("synth", "--editions", "1200", "--seed", str(seed), "--out", str(corpus)).returncode == 0
    assert run_stdkg("build", "--input", str(corpus), "--out", str(build)).returncode == 0
    first = run_stdkg("validate", str(build), "--cache", str(cache), "--format", "json")
    assert "全量 / full run" in first.stderr
    assert first.stdout == run_stdkg("validate", str(build), "--format", "json").stdout

    header, rows = read(corpus / "standards.csv")
    rng = random.Random(seed)
    for round_ in range(2):  # two rounds: the cache written by an incremental run is right too
        rows = edit(rows, rng, edits)
        write(corpus / "standards.csv", header, rows)
        assert run_stdkg("build", "--input", str(corpus), "--out", str(build)).returncode == 0
        incremental = run_stdkg("validate", str(build), "--cache", str(cache), "--format", "json")
        assert "增量 / incremental" in incremental.stderr, incremental.stderr
        full = run_stdkg("validate", str(build), "--format", "json")
        assert incremental.returncode == full.returncode
        assert incremental.stdout == full.stdout, f"round {round_}"


def test_changed_shapes_mean_a_full_run(tmp_path: Path) -> None:
    corpus, build, cache = tmp_path / "corpus", tmp_path / "build", tmp_path / "cache"
    assert run_stdkg("synth", "--editions", "200", "--out", str(corpus)).returncode == 0
    assert run_stdkg("build", "--input", str(corpus), "--out", str(build)).returncode == 0
    assert "全量" in run_stdkg("validate", str(build), "--cache", str(cache)).stderr
    assert "增量" in run_stdkg("validate", str(build), "--cache", str(cache)).stderr
    extra = tmp_path / "extra.ttl"
    extra.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n", encoding="utf-8")
    assert "全量" in run_stdkg("validate", str(build), "--cache", str(cache), "--shapes", str(extra)).stderr


def test_cache_refuses_input_tables(tmp_path: Path) -> None:
    result = run_stdkg("validate", "--input", str(Path(__file__).parent.parent / "data" / "bps"), "--cache", str(tmp_path))
    assert result.returncode == 2 and "--cache" in result.stderr


def work(number: str) -> str:
    """The undated number of a dated one (GB/T 900097-2002 → GB/T 900097)."""
    head, _, year = number.rpartition("-")
    return head if head and year.isdigit() and len(year) == 4 else number


def references(row: dict[str, str]) -> list[str]:
    return [ref.strip() for ref in row["normative_references"].split(";") if ref.strip()]


def findings(stdout: str, rule: str) -> set[str]:
    return {r["focus_label"] for r in json.loads(stdout)["results"] if r["rule"] == rule}


def test_edits_that_reach_far(tmp_path: Path) -> None:
    """Each edit changes one row, and the results that change are those of other standards:
    a citing edition two steps away (its undated reference loses its current edition), a work
    whose mutual reference is closed or broken by the other work's edition."""
    corpus, build, cache = tmp_path / "corpus", tmp_path / "build", tmp_path / "cache"
    assert run_stdkg("synth", "--editions", "1200", "--seed", "4", "--out", str(corpus)).returncode == 0
    assert run_stdkg("build", "--input", str(corpus), "--out", str(build)).returncode == 0
    first = run_stdkg("validate", str(build), "--cache", str(cache), "--format", "json")
    header, rows = read(corpus / "standards.csv")
    by_work: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_work.setdefault(work(row["number"]), []).append(row)

    cycles = findings(first.stdout, "NoReferenceCycle")

    # Two steps: the only current edition of a work a current edition cites undated is abolished.
    citing, cited = next((row, ref) for row in rows if row["status"] == "现行" for ref in references(row)
                         if ref in by_work and [r["status"] for r in by_work[ref]].count("现行") == 1
                         and work(row["number"]) != ref and not {work(row["number"]), ref} & cycles)
    assert citing["number"] not in findings(first.stdout, "UndatedReferenceHasCurrentEdition")
    next(r for r in by_work[cited] if r["status"] == "现行")["status"] = "废止"

    # A mutual reference closed by one edit: a work cites another, whose edition now cites it back.
    a, b = next((work(row["number"]), work(ref)) for row in rows for ref in references(row)
                if work(ref) in by_work and work(ref) != work(row["number"]) and work(ref) != cited
                and not {work(row["number"]), work(ref), cited} & cycles
                and not any(work(r) == work(row["number"]) for e in by_work[work(ref)] for r in references(e)))
    by_work[b][0]["normative_references"] = "; ".join([*references(by_work[b][0]), a])

    # A seeded mutual reference broken by one edit: the other work's result goes too.
    seeded = yaml.safe_load((corpus / "seeded-errors.yaml").read_text(encoding="utf-8"))
    broken, partner = seeded["errors"]["mutual_reference"]["analyze"]["works"][0]
    for row in by_work[broken]:
        row["normative_references"] = "; ".join(r for r in references(row) if work(r) != partner)

    write(corpus / "standards.csv", header, rows)
    assert run_stdkg("build", "--input", str(corpus), "--out", str(build)).returncode == 0
    incremental = run_stdkg("validate", str(build), "--cache", str(cache), "--format", "json")
    assert "增量 / incremental" in incremental.stderr, incremental.stderr
    assert incremental.stdout == run_stdkg("validate", str(build), "--format", "json").stdout
    assert citing["number"] in findings(incremental.stdout, "UndatedReferenceHasCurrentEdition")
    cycles_after = findings(incremental.stdout, "NoReferenceCycle")
    assert {a, b} <= cycles_after
    assert {broken, partner} <= cycles and not {broken, partner} & cycles_after


def test_a_restart_after_the_store_is_opened_rebuilds_the_cache(tmp_path: Path, bundled_build: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """An incremental run that gives up once it has opened the cached store (a rule's focus node
    that is not an IRI, say) falls back to a full run; the store it opened must not block that."""
    import gc

    import stdkg.validate_cache as cache_module

    nt = tmp_path / "stdkg.nt"
    lines = (bundled_build / "stdkg.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    nt.write_text("".join(lines), encoding="utf-8")
    first, run = cache_module.validate_cached(nt, tmp_path / "cache")
    assert run.full
    gc.collect()  # each CLI run is its own process; here the first run's store must be let go of
    subject = "<https://w3id.org/stdkg/standard/GB-T-28220-2023> <http://purl.org/dc/terms/issued> "
    nt.write_text("".join(line.replace("^^<http://www.w3.org/2001/XMLSchema#date>", "") if line.startswith(subject) else line
                          for line in lines), encoding="utf-8")  # its issue date now a plain string: DatesAreDates

    def give_up(*args: object) -> None:
        raise cache_module._Restart("a rule's focus node is not an IRI")

    monkeypatch.setattr(cache_module, "_new_triples", give_up)
    again, run = cache_module.validate_cached(nt, tmp_path / "cache")
    assert run.full and any("cache rebuilt" in note for note in run.notes)
    monkeypatch.undo()
    fresh, _ = cache_module.validate_cached(nt, tmp_path / "fresh-cache")
    assert again.results == fresh.results
    assert len(again.results) == len(first.results) + 1  # the edit is seen


def test_a_count_rule_restricted_to_focus_nodes_counts_them_alone(bundled_build: Path) -> None:
    """sh:maxCount compiles to a subquery grouped by ?this; the incremental run restricts the
    subquery too (not only the outer query, which joined a count over the whole graph): the
    restricted rule must find exactly the whole rule's results on those focus nodes."""
    import pyoxigraph as ox

    from stdkg.store import open_store
    from stdkg.validate import compile_shapes, load_shapes, ontology_files, run_fast
    from stdkg.validate_cache import _restricted

    store = open_store(bundled_build / "stdkg.nt")
    for path in ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    editions = sorted({str(q.subject) for q in store.quads_for_pattern(None, ox.NamedNode("http://purl.org/dc/terms/issued"), None)})
    doubled, single = editions[0], editions[1]
    for edition in (doubled, editions[2]):  # two issue dates: OneIssueDate fails on these two only
        store.add(ox.Quad(ox.NamedNode(edition[1:-1]), ox.NamedNode("http://purl.org/dc/terms/issued"),
                          ox.Literal("1999-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))))
    counts = [rule for rule in compile_shapes(load_shapes()) if rule.component == "MaxCountConstraintComponent"]
    assert counts
    whole = {r for r in run_fast(store, counts)}
    assert {r.focus for r in whole} == {doubled[1:-1], editions[2][1:-1]}
    for rule in counts:
        restricted = _restricted(rule, [doubled, single])
        assert restricted.query.count("VALUES ?this") == 2  # in the subquery too
        assert set(run_fast(store, [restricted])) == {r for r in whole if r.shape == rule.shape and r.path == rule.path
                                                      and r.focus in (doubled[1:-1], single[1:-1])}


def test_the_cache_fingerprint_names_files_by_content_not_where_they_are(tmp_path: Path) -> None:
    """A shapes folder (or a checkout) moved elsewhere keeps its cache; an edited rule does not."""
    from stdkg.validate_cache import fingerprint

    rule = ("@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <urn:x:> .\n"
            "ex:TitleGiven a sh:NodeShape ; sh:targetClass ex:Thing ;\n"
            "    sh:property [ sh:path ex:title ; sh:minCount 1 ] .\n")
    here, elsewhere = tmp_path / "a" / "mine.ttl", tmp_path / "b" / "mine.ttl"
    for path in (here, elsewhere):
        path.parent.mkdir()
        path.write_text(rule, encoding="utf-8")
    assert fingerprint([here], []) == fingerprint([elsewhere], [])
    elsewhere.write_text(rule.replace("sh:minCount 1", "sh:minCount 2"), encoding="utf-8")
    assert fingerprint([here], []) != fingerprint([elsewhere], [])
