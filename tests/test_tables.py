"""Reading tables: encodings, delimiters, blank rows, Excel's UTF-16 text export."""

from __future__ import annotations

from pathlib import Path

import pytest

from stdkg.mapping import bundled_mappings, choose_mapping, load_value_maps
from stdkg.problems import StdkgError
from stdkg.tables import read_table
from stdkg.vocab import STDV

ROWS = "标准号\t中文标准名称\nGB/T 28220-2023\t公共图书馆服务规范\n\n\nGB/T 36720-2018\t公共图书馆少年儿童服务规范\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gbk", "gb18030"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(ROWS.encode(encoding))
    table = read_table(path)
    assert table.header == ["标准号", "中文标准名称"]
    assert [(n, r[1]) for n, r in table.rows] == [(2, "公共图书馆服务规范"), (5, "公共图书馆少年儿童服务规范")]
    assert table.blank_rows == 2


def test_wrong_explicit_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("标准号,中文标准名称\nGB/T 28220-2023,公共图书馆服务规范\n".encode("gbk"))
    with pytest.raises(StdkgError) as info:
        read_table(path, encoding="utf-8")
    assert "t.csv" in str(info.value) and "line 1" in str(info.value)


def test_empty_and_unknown_files(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("\n\n", encoding="utf-8")
    with pytest.raises(StdkgError, match="no header row"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(StdkgError, match="unsupported table format"):
        read_table(tmp_path / "x.pdf")


def test_with_header_at_skips_title_rows(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("基本公共服务标准体系表,,\n标准号,中文标准名称,来源\nGB/T 28220-2023,公共图书馆服务规范,x\n", encoding="utf-8")
    table = read_table(tmp_path / "t.csv")
    assert choose_mapping(table.header, bundled_mappings()) is None
    fixed = table.with_header_at(0)
    assert fixed.header == ["标准号", "中文标准名称", "来源"] and [n for n, _ in fixed.rows] == [3]
    assert choose_mapping(fixed.header, bundled_mappings()) is not None


def test_every_value_word_maps_to_a_concept_of_the_ontology() -> None:
    for words in load_value_maps().values():
        for concept in words.values():
            assert concept in STDV._extras, concept
