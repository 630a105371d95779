"""Property-based: any standards table either loads or yields rejections, and what loads round-trips."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from stdkg.build import default_system_dir, read_system
from stdkg.mapping import bundled_mappings, choose_mapping, load_value_maps
from stdkg.model import GraphBuilder
from stdkg.records import read_records
from stdkg.tables import read_table

HEADER = ["标准号", "中文标准名称", "发布日期", "标准状态", "代替标准", "引用标准"]
MAPPING = choose_mapping(HEADER, bundled_mappings())
VALUES = load_value_maps()

numbers = st.one_of(
    st.builds(lambda code, serial, year: f"{code} {serial}-{year}",
              st.sampled_from(["GB", "GB/T", "MZ/T", "DB33/T", "T/SYN", "ＧＢ／Ｔ"]),
              st.integers(900000, 999999), st.integers(1990, 2030)),
    st.text(max_size=12),
)
cells = st.one_of(st.just(""), st.text(max_size=15))
dates = st.one_of(st.just(""), st.dates().map(str), st.text(max_size=10), st.integers(0, 99999).map(str))
rows = st.lists(st.tuples(numbers, cells, dates, st.sampled_from(["", "现行", "废止", "WITHDRAWN", "有时"]),
                          st.one_of(st.just(""), numbers), st.one_of(st.just(""), numbers)),
                min_size=1, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_every_row_loads_or_is_rejected_and_loaded_rows_round_trip(tmp_path: Path, table_rows: list[tuple[str, ...]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(table_rows)
    path = tmp_path / "t.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    table = read_table(path)
    records, problems = read_records(table, MAPPING, VALUES)
    builder = GraphBuilder("https://w3id.org/stdkg/", read_system(default_system_dir()))
    loaded_rows = set()
    for record in records:
        if not builder.add_standard_row(record):
            loaded_rows.add(record.row)
    rejected_rows = {p.row for p in problems if p.severity == "error"}
    data_rows = {number for number, _ in table.rows}
    # Nothing silently dropped: every data row is loaded, rejected, or both (a conflicting duplicate warns).
    assert data_rows <= loaded_rows | rejected_rows
    assert not loaded_rows & rejected_rows
    for record in records:
        if record.row in loaded_rows:
            subject = URIRef(builder.standard_iri(record.get("number")))
            assert (subject, DCTERMS.identifier, Literal(record.get("number").canonical)) in builder.triples
            if record.get("title_zh"):
                assert (subject, DCTERMS.title, Literal(record.get("title_zh"), lang="zh")) in builder.triples
