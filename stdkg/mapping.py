"""Declarative source mappings (loaders/*.yaml): which column means what, and value maps.

A mapping names its fields, each with a type, aliases (zh and en column names) and whether
it is required. ``choose_mapping`` picks, for a table's header, the mapping whose required
columns are all present and which recognises the most columns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import paths
from .problems import StdkgError

FIELD_TYPES = {
    "text", "text_zh", "text_en", "standard_number", "standard_numbers", "references",
    "concept", "date", "ics_code", "ccs_code", "committee_code", "organization", "organizations",
    "domains", "categories", "service_items", "notation", "sources", "integer", "concepts",
}


def normalise_name(name: str) -> str:
    """Column names and value words compare after NFKC, case-folding and space squeezing."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().replace("_", " ").split())


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool
    aliases: tuple[str, ...]
    values: str | None = None


@dataclass
class Mapping:
    name: str
    kind: str  # "reference" (catalogue, committees), "standards", or a work-plan kind: "targets", "pilots", "feedback"
    key: str | tuple[str, ...] | None  # None: rows have no natural key (feedback): only exact duplicates are caught; a list: several fields together
    fields: dict[str, FieldSpec]
    label_zh: str = ""
    label_en: str = ""
    at_least_one_of: tuple[str, ...] = ()
    path: Path | None = None
    _alias_index: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for spec in self.fields.values():
            for alias in (spec.name, *spec.aliases):
                self._alias_index.setdefault(normalise_name(alias), spec.name)

    def field_for(self, column: str) -> str | None:
        return self._alias_index.get(normalise_name(column))

    def bind(self, header: list[str]) -> tuple[dict[int, str], list[str]]:
        """Column index → field name for the columns this mapping knows, and the unknown names."""
        bound: dict[int, str] = {}
        unknown: list[str] = []
        taken: set[str] = set()
        for index, column in enumerate(header):
            name = self.field_for(column) if column else None
            if name is None or name in taken:
                if column:
                    unknown.append(column)
                continue
            bound[index] = name
            taken.add(name)
        return bound, unknown

    def missing_required(self, header: list[str]) -> list[str]:
        present = set(self.bind(header)[0].values())
        return [f.name for f in self.fields.values() if f.required and f.name not in present]


def load_mapping(path: Path) -> Mapping:
    """Read one mapping file, checking its field types so a typo fails here, not mid-load."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise StdkgError(f"{path}: 无法读取映射文件 / cannot read mapping file ({exc})") from exc
    try:
        fields = {}
        for name, spec in raw["columns"].items():
            if spec.get("type") not in FIELD_TYPES:
                raise StdkgError(f"{path}: 字段 {name} 的类型 '{spec.get('type')}' 未知 / field {name}: unknown type (known: {', '.join(sorted(FIELD_TYPES))})")
            fields[name] = FieldSpec(name, spec["type"], bool(spec.get("required", False)),
                                     tuple(str(a) for a in spec.get("aliases", [])), spec.get("values"))
        label = raw.get("label", {})
        return Mapping(raw["name"], raw.get("kind", "standards"), tuple(raw["key"]) if isinstance(raw.get("key"), list) else raw.get("key"), fields,
                       label.get("zh", ""), label.get("en", ""),
                       tuple(raw.get("at_least_one_of", [])), path)
    except (KeyError, TypeError, AttributeError) as exc:
        raise StdkgError(f"{path}: 映射文件结构不对 / malformed mapping file (missing or wrong {exc})") from exc


def bundled_mappings() -> list[Mapping]:
    folder = paths.loaders_dir()
    return [load_mapping(p) for p in sorted(folder.glob("*.yaml")) if p.name != "values.yaml"]


def load_value_maps(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Value maps by name (status, nature …): normalised word → concept local name."""
    path = path or paths.loaders_dir() / "values.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: {normalise_name(str(k)): str(v) for k, v in words.items()} for name, words in raw.items()}


def choose_mapping(header: list[str], mappings: list[Mapping]) -> Mapping | None:
    """The mapping with all required columns present that binds the most columns."""
    best: tuple[int, Mapping] | None = None
    for mapping in mappings:
        if mapping.missing_required(header):
            continue
        score = len(mapping.bind(header)[0])
        if best is None or score > best[0]:
            best = (score, mapping)
    return best[1] if best else None
