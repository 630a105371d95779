"""Apply a mapping to a table: every row becomes a Record or is rejected with reasons.

A row loads whole or not at all: when any cell is wrong, every wrong cell of the row is
reported (file, row, column, value, reason) and none of the row enters the graph.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cells
from .mapping import Mapping, normalise_name
from .problems import Problem
from .tables import Table, UncomputedFormula, cell_text


@dataclass
class Record:
    """One accepted row: field name → typed value, with where it came from."""

    mapping: Mapping
    table: str
    row: int
    values: dict[str, Any]
    raw: dict[str, str] = field(default_factory=dict)  # field → cell text, for messages
    columns: dict[str, str] = field(default_factory=dict)  # field → the column's name in the table

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


UNIQUE_TYPES = {"text", "text_zh", "text_en", "notation"}


def convert_cell(spec_type: str, text: str, value_map: dict[str, str] | None) -> Any:
    """The typed value of one non-empty cell; raises cells.CellError."""
    match spec_type:
        case "text" | "text_zh" | "text_en" | "notation":
            return " ".join(text.split())
        case "standard_number":
            return cells.parse_number(text)
        case "standard_numbers":
            return cells.parse_numbers(text)
        case "references":
            return cells.parse_references(text)
        case "date":
            return cells.parse_date(text)
        case "ics_code":
            return cells.parse_codes(text, "ICS")
        case "ccs_code":
            return cells.parse_codes(text, "CCS")
        case "committee_code":
            return cells.parse_committee_code(text)
        case "organization":
            return cells.parse_organisation(text)
        case "organizations":
            return cells.parse_organisations(text)
        case "domains" | "categories" | "service_items":
            return cells.split_list(text)
        case "sources":
            return cells.parse_sources(text)
        case "concept":
            assert value_map is not None
            return _concept(text, value_map)
        case "concepts":
            assert value_map is not None
            return [_concept(part, value_map) for part in cells.split_list(text)]
        case "integer":
            # "200" or "200项": a count as a plan writes it; anything else is not guessed at.
            digits = re.fullmatch(r"(\d+)\s*(?:项|个|件)?", unicodedata.normalize("NFKC", text).strip())
            if digits is None:
                raise cells.CellError(f"'{text}' 不是整数", f"'{text}' is not a whole number")
            return int(digits.group(1))
    raise AssertionError(f"unhandled field type {spec_type}")


def _concept(text: str, value_map: dict[str, str]) -> str:
    found = value_map.get(normalise_name(text))
    if found is None:
        known = "、".join(sorted(set(value_map))[:12])
        raise cells.CellError(f"无法识别的取值 '{text}'（可用：{known} …）",
                              f"unknown value '{text}' (known: {known} …; add words in loaders/values.yaml)")
    return found


def read_records(table: Table, mapping: Mapping, value_maps: dict[str, dict[str, str]],
                 display_name: str | None = None) -> tuple[list[Record], list[Problem]]:
    """Convert every row of ``table`` with ``mapping``; return accepted records and problems."""
    name = display_name or table.name
    bound, unknown = mapping.bind(table.header)
    problems: list[Problem] = []
    if unknown:
        problems.append(Problem(name, None, None, None,
                                f"未使用的列：{'、'.join(unknown)}（映射 {mapping.name} 不认识这些列名）",
                                f"columns not used: {', '.join(unknown)} (mapping '{mapping.name}' does not know them; add aliases in {Path(mapping.path or '').name})",
                                "warning"))
    columns = {field_name: table.header[index] for index, field_name in bound.items()}
    # One plan entry per bound column, worked out once: the per-cell loop below runs millions
    # of times on a national corpus. Cells of one type and value map share a memo, because
    # dates, numbers, references and names repeat across rows: each distinct text converts once.
    memos: dict[tuple[str, str | None], dict[str, Any]] = {}
    plan = []
    for index, field_name in bound.items():
        spec = mapping.fields[field_name]
        memo = memos.setdefault((spec.type, spec.values), {})
        plan.append((index, field_name, spec.type, spec.type in UNIQUE_TYPES, spec.type == "date",
                     value_maps.get(spec.values) if spec.values else None, memo))
    required = [spec.name for spec in mapping.fields.values() if spec.required]
    records: list[Record] = []
    first_row_of: dict[Any, tuple[int, dict[str, Any]]] = {}
    for row_number, row_cells in table.rows:
        raw: dict[str, str] = {}
        values: dict[str, Any] = {}
        row_problems: list[Problem] = []
        width = len(row_cells)
        for index, field_name, spec_type, unique, is_date, value_map, memo in plan:
            cell = row_cells[index] if index < width else None
            if cell.__class__ is str:  # a CSV cell: cell_text would only strip it
                text = cell.strip()  # type: ignore[union-attr]
                if not text:
                    continue
            else:
                text = cell_text(cell)
                if not text:
                    continue
                if isinstance(cell, UncomputedFormula):
                    raw[field_name] = text
                    row_problems.append(Problem(name, row_number, table.header[index], text, cell.zh, cell.en))
                    continue
                if is_date and isinstance(cell, float) and not cell.is_integer():
                    # 2020.10 typed into Excel is the number 2020.1: October cannot be told from January.
                    raw[field_name] = text
                    row_problems.append(Problem(name, row_number, table.header[index], text,
                                                "数值型日期有歧义（2020.10 会变成 2020.1），请把单元格设为文本或日期格式",
                                                "a date stored as a number is ambiguous (2020.10 becomes 2020.1): format the cell as text or date"))
                    continue
            raw[field_name] = text
            if unique:  # text, text_zh, text_en, notation: whitespace runs become one space
                values[field_name] = " ".join(text.split())
                continue
            value = memo.get(text, memo)
            if value is memo:
                try:
                    value = memo[text] = convert_cell(spec_type, text, value_map)
                except cells.CellError as exc:
                    row_problems.append(Problem(name, row_number, table.header[index], text, exc.zh, exc.en))
                    continue
            values[field_name] = value
        if len(row_cells) > len(table.header) and any(cell_text(c) for c in row_cells[len(table.header):]):
            row_problems.append(Problem(name, row_number, None, None, "该行的单元格多于表头的列数",
                                        "the row has more cells than the header has columns"))
        for field_name in required:
            if field_name not in raw:
                row_problems.append(Problem(name, row_number, _column_of(table, bound, field_name), "",
                                            "必填项为空", "required value is empty"))
        if mapping.at_least_one_of and not any(f in raw for f in mapping.at_least_one_of):
            wanted = " / ".join(columns.get(f, f) for f in mapping.at_least_one_of)
            row_problems.append(Problem(name, row_number, wanted, "", f"至少需要填写其一：{wanted}",
                                        f"at least one of {wanted} is needed"))
        if not row_problems:
            # Without a key column (feedback) a row is its own key: only exact duplicates are caught.
            key = _key(values, mapping.key) if mapping.key else repr(sorted(values.items()))
            if key in first_row_of:
                # Compared as typed values: 'GB/T 1234—2020' and 'GB/T 1234-2020' are one number.
                first_row, first_values = first_row_of[key]
                if first_values == values:
                    row_problems.append(Problem(name, row_number, _column_of(table, bound, _first(mapping.key)) if mapping.key else None, str(key) if mapping.key else None,
                                                f"与第{first_row}行完全重复，已忽略", f"duplicate of row {first_row}; ignored"))
                else:
                    differing = ", ".join(sorted(columns.get(k, k) for k in set(values) | set(first_values)
                                                 if values.get(k) != first_values.get(k)))
                    problems.append(Problem(name, row_number, _column_of(table, bound, _first(mapping.key) or ""), str(key),
                                            f"与第{first_row}行同号但内容不同（{differing}），两行均已载入，stdkg validate 会报告矛盾，请核对",
                                            f"same key as row {first_row} but different {differing}; both rows loaded (stdkg validate reports the contradiction): check which is right",
                                            "warning"))
            else:
                first_row_of[key] = (row_number, values)
        if row_problems:
            problems.extend(row_problems)
            continue
        records.append(Record(mapping, name, row_number, values, raw, columns))
    return records, problems


def _key(values: dict[str, object], key: str | tuple[str, ...]) -> object:
    """A row's key: one field's value, or several joined (a pilot is its name in its region)."""
    if isinstance(key, str):
        return getattr(values[key], "canonical", values[key])
    return " / ".join(str(getattr(values.get(f), "canonical", values.get(f)) or "") for f in key)


def _first(key: str | tuple[str, ...] | None) -> str | None:
    return key[0] if isinstance(key, tuple) else key


def _column_of(table: Table, bound: dict[int, str], field_name: str) -> str:
    for index, name in bound.items():
        if name == field_name:
            return table.header[index]
    return field_name
