"""A synthetic standard-system table for load tests and benchmarks (合成标准明细表).

    stdkg synth --editions 100000 --seed 1 --out /tmp/synth-100k

writes ``standards.csv`` (the columns of data/bps/standards.csv plus service_item,
standard_type, region and local_counterpart_of) and ``SYNTHETIC.md``. The rows follow the
shape of real standard systems: about 15 % national (GB 5 %, GB/T 9 %, GB/Z 1 %), 30 %
industry, 40 % local (the 31 mainland DBnn/T series, some city-level DBnnnn/T) and 15 %
group standards; editions of a work replace each other; 0–5 normative references each.

Nothing in it is real: every serial is ≥ 900000 (so no synthetic number is a real standard
number), committees are 'SAC/TC 9NN 全国合成第N标准化技术委员会', associations 'T/SYN…',
titles '合成标准 第N号 …'. The only real numbers are the few taken from
data/bps/standards.csv as reference targets. The same seed gives the same bytes; the
output may not go into the repository's data/ folder, which holds real, sourced data only.
Seeded errors, each of a kind that one validation rule or analysis finding reports, are
added by stdkg.synth_errors and listed in seeded-errors.yaml.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Graph
from rdflib.namespace import DCTERMS, SKOS

from stdkg import paths

CHECKOUT_DATA = Path(__file__).resolve().parent.parent / "data"  # a source checkout's data/
MIN_SERIAL = 900_000
AS_OF = dt.date(2025, 10, 1)  # statuses are as of this fixed day, so output never depends on today
YEARS = (2000, 2025)
GROUP_YEARS = (2016, 2025)  # group standards exist since the 2015 reform
BASE_COLUMNS = ["number", "title_zh", "title_en", "nature", "status", "issued", "implemented", "ccs", "ics",
                "committee_code", "committee", "competent_authority", "publisher", "replaces",
                "normative_references", "domain", "note", "source"]
EXTRA_COLUMNS = ["service_item", "standard_type", "region", "local_counterpart_of"]
MANIFEST = "seeded-errors.yaml"
NOTE = "合成数据，非真实标准 / synthetic data, not a real standard"

# (code, share of all rows); national 15 %, industry 30 %, local 40 %, group 15 %.
LEVELS = [("GB", 0.05), ("GB/T", 0.09), ("GB/Z", 0.01), ("industry", 0.30), ("local", 0.40), ("group", 0.15)]
INDUSTRY = [("MZ", 15), ("WS", 20), ("WH", 10), ("TY", 8), ("LD", 10), ("JY", 10), ("JGJ", 8), ("CJJ", 7),
            ("GA", 7), ("SF", 5)]
# Prefecture-level cities with their own DBnnnn series (GB/T 2260 codes, real names).
CITIES = [("1301", "石家庄市"), ("1401", "太原市"), ("2101", "沈阳市"), ("2102", "大连市"), ("2201", "长春市"),
          ("2301", "哈尔滨市"), ("3201", "南京市"), ("3301", "杭州市"), ("3302", "宁波市"), ("3401", "合肥市"),
          ("3501", "福州市"), ("3502", "厦门市"), ("3601", "南昌市"), ("3701", "济南市"), ("3702", "青岛市"),
          ("4101", "郑州市"), ("4201", "武汉市"), ("4301", "长沙市"), ("4401", "广州市"), ("4403", "深圳市"),
          ("4501", "南宁市"), ("5101", "成都市"), ("5201", "贵阳市"), ("5301", "昆明市"), ("6101", "西安市"),
          ("6201", "兰州市"), ("6401", "银川市"), ("6501", "乌鲁木齐市")]
CITY_SHARE = 0.15
PART_SHARE, PARTS = 0.06, [2, 3, 4]  # national and industry works split into parts (GB/T 40987.1 …)
# standard_type (a word of loaders/values.yaml) → title ending zh, en; weight.
TYPES = [("服务流程与质量", "服务规范", "Service specification", 40),
         ("设施设备资源配置", "设施配置要求", "Requirements for facilities", 20),
         ("运行管理", "管理规范", "Management specification", 15),
         ("绩效评价", "服务质量评价", "Evaluation of service quality", 15),
         ("基础通用", "术语与分类", "Terminology and classification", 10)]
EDITIONS_PER_WORK = ([1, 2, 3, 4], [80, 14, 5, 1])
REFERENCES_PER_ROW = ([0, 1, 2, 3, 4, 5], [15, 20, 25, 20, 12, 8])
REF_LEVEL = (["national", "industry", "local", "group"], [55, 25, 12, 8])
REAL_REFERENCE_SHARE = 0.03
ICS = ["03.080", "03.080.01", "03.080.30", "03.080.99", "03.180", "11.020", "13.020.01", "97.200.01", "97.220.01"]
CCS = ["A12", "A16", "A20", "C05", "C07", "Y50", "Y52", "P31"]
COMMITTEES = 60  # SAC/TC 901 … SAC/TC 960
ASSOCIATIONS = [f"SYN{a}{b}" for a in "ABCDEFGH" for b in "ABCDE"]  # T/SYNAA … T/SYNHE: invented


@dataclass
class Work:
    """One synthetic work (undated number) with the years of its editions."""

    index: int
    level: str  # national, industry, local, group
    code: str  # GB/T, MZ/T, DB33/T, T/SYNAB …
    serial: str
    years: list[int]
    domain: str
    item: str
    type_index: int
    region: str = ""
    committee: int | None = None
    local_committee: bool = False
    part: int | None = None

    @property
    def number(self) -> str:
        return f"{self.code} {self.serial}"


@dataclass
class Edition:
    work: Work
    year: int
    issued: dt.date
    implemented: dt.date
    replaces: str = ""
    status: str = "现行"
    references: list[str] = field(default_factory=list)
    counterpart: str = ""

    @property
    def number(self) -> str:
        return f"{self.work.number}-{self.year}"


def refuse_out(out: Path) -> str | None:
    """Why ``out`` may not receive synthetic data (inside a data/ folder of the project), or None."""
    target = out.resolve()
    for data in {CHECKOUT_DATA.resolve(), paths.data_dir().resolve()}:
        if target == data or data in target.parents:
            return (f"--out {out} 位于 {data} 内；data/ 只放真实、有来源的数据 / is inside {data}: "
                    "data/ holds real, sourced tables only; write synthetic corpora elsewhere (e.g. /tmp)")
    return None


def provinces() -> list[tuple[str, str]]:
    """(DBnn prefix digits, name) of the 31 mainland provincial-level regions, from ontology/regions.ttl."""
    graph = Graph().parse(paths.ontology_dir() / "regions.ttl", format="turtle")
    found = []
    for region, prefix in graph.subject_objects(DCTERMS.identifier):
        name = next(str(o) for o in graph.objects(region, SKOS.prefLabel) if getattr(o, "language", None) == "zh")
        found.append((str(prefix)[2:], name))
    return sorted(found)


def catalogue() -> tuple[list[str], dict[str, list[str]]]:
    """Domains of the bundled catalogue, and per domain the service items whose category is given."""
    bps = paths.data_dir() / "bps"
    with open(bps / "catalogue_categories.csv", encoding="utf-8", newline="") as f:
        domains = list(dict.fromkeys(row["domain"].strip() for row in csv.DictReader(f)))
    items: dict[str, list[str]] = {d: [] for d in domains}
    with open(bps / "service_items.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["category"].strip() and row["domain"].strip() in items:
                items[row["domain"].strip()].append(row["item"].strip())
    return domains, items


def real_numbers() -> list[str]:
    with open(paths.data_dir() / "bps" / "standards.csv", encoding="utf-8", newline="") as f:
        return [row["number"].strip() for row in csv.DictReader(f) if row["number"].strip()]


def _date_in(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


def make_works(editions: int, rng: random.Random) -> list[Work]:
    """Works until their editions add up to exactly ``editions`` rows."""
    domains, items = catalogue()
    regions = provinces()
    next_serial: dict[str, int] = {}
    level_codes = [code for code, _ in LEVELS]
    # Parts give national and industry works more rows: weigh works so that rows keep LEVELS' shares.
    part_rows = 1 + PART_SHARE * (sum(PARTS) / len(PARTS) - 1)
    level_weights = [w / part_rows if code not in ("local", "group") else w for code, w in LEVELS]
    works: list[Work] = []
    rows = 0
    while rows < editions:
        pick = rng.choices(level_codes, level_weights)[0]
        region = ""
        if pick.startswith("GB"):
            level, code = "national", pick
        elif pick == "industry":
            ind = rng.choices([c for c, _ in INDUSTRY], [w for _, w in INDUSTRY])[0]
            slash_t = rng.random() < (0.6 if ind in ("JGJ", "CJJ") else 0.9)
            level, code = "industry", f"{ind}/T" if slash_t else ind
        elif pick == "local":
            if rng.random() < CITY_SHARE:
                digits, region = rng.choice(CITIES)
            else:
                digits, region = rng.choice(regions)
            level, code = "local", f"DB{digits}/T" if rng.random() < 0.97 else f"DB{digits}"
        else:
            level, code = "group", f"T/{rng.choice(ASSOCIATIONS)}"
        first, last = GROUP_YEARS if level == "group" else YEARS
        count = min(rng.choices(*EDITIONS_PER_WORK)[0], editions - rows, last - first + 1)
        years = sorted(rng.sample(range(first, last + 1), count))
        domain = rng.choice(domains)
        item = rng.choice(items[domain]) if items[domain] and rng.random() < 0.7 else ""
        type_index = rng.choices(range(len(TYPES)), [t[3] for t in TYPES])[0]
        base = next_serial.get(code, MIN_SERIAL + rng.randint(0, 99))
        next_serial[code] = base + rng.randint(1, 3)
        committee = rng.randint(1, COMMITTEES) if level == "national" or (level == "industry" and rng.random() < 0.7) else None
        parts = rng.choice(PARTS) if level in ("national", "industry") and rng.random() < PART_SHARE else 0
        for part in range(1, parts + 1) if parts else [None]:
            if rows >= editions:
                break
            serial = f"{base}.{part}" if part else str(base)
            part_years = years[: editions - rows]
            works.append(Work(len(works) + 1, level, code, serial, part_years, domain, item, type_index, region,
                              committee, level == "local" and rng.random() < 0.4, part))
            rows += len(part_years)
    return works


def make_editions(works: list[Work], rng: random.Random) -> list[Edition]:
    """Dated editions with statuses, replacement chains, references and local counterparts."""
    out: list[Edition] = []
    for work in works:
        previous: Edition | None = None
        for year in work.years:
            issued = _date_in(rng, year)
            edition = Edition(work, year, issued, issued + dt.timedelta(days=rng.randint(30, 270)))
            if previous is not None:
                edition.replaces = previous.number
                previous.status = "废止"
            out.append(edition)
            previous = edition
        assert previous is not None
        if previous.implemented > AS_OF:
            previous.status = "即将实施"
        else:
            roll = rng.random()
            previous.status = "废止" if roll < 0.04 else "修订中" if roll < 0.05 else "现行"

    real = real_numbers()
    pools: dict[str, list[Edition]] = {"national": [], "industry": [], "group": []}
    local_pools: dict[str, list[Edition]] = {}
    rank: dict[int, int] = {}  # work index → order of its first edition
    for edition in sorted(out, key=lambda e: (e.issued, e.number)):  # cite only what was issued before
        work = edition.work
        rank.setdefault(work.index, len(rank))
        local_pool = local_pools.setdefault(work.code[:4], [])
        wanted = rng.choices(*REFERENCES_PER_ROW)[0]
        refs: list[str] = []
        for _ in range(wanted):
            level = rng.choices(*REF_LEVEL)[0]
            pool = local_pool if level == "local" else pools[level]
            if level == "local" and work.level != "local" or not pool:
                continue
            target = rng.choice(pool)
            # A work cites only works older than itself: the clean reference graph has no cycle,
            # so every cycle that validate and analyze find is a seeded one.
            if rank[target.work.index] >= rank[work.index]:
                continue
            ref = target.number if rng.random() < 0.5 else target.work.number
            if ref not in refs:
                refs.append(ref)
        if rng.random() < REAL_REFERENCE_SHARE:
            ref = rng.choice(real)
            if ref not in refs:
                refs.append(ref)
        edition.references = refs
        if work.level == "local" and rng.random() < 0.3:
            pool = pools["national"] if rng.random() < 0.8 else pools["industry"]
            if pool:
                target = rng.choice(pool)
                edition.counterpart = target.work.number if rng.random() < 0.7 else target.number
        (local_pool if work.level == "local" else pools[work.level]).append(edition)
    return out


def nature(code: str) -> str:
    if code.startswith("T/"):
        return ""
    if code.endswith("/Z"):
        return "指导性技术文件"
    return "推荐性" if code.endswith("/T") else "强制性"


def row(edition: Edition, rng: random.Random, seed: int) -> dict[str, str]:
    work = edition.work
    type_zh, end_zh, end_en, _ = TYPES[work.type_index]
    part_zh = f"第{work.part}部分：" if work.part else ""
    part_en = f"Part {work.part}: " if work.part else ""
    local = work.level == "local"
    committee = work.committee
    if work.level == "national":
        publisher, authority = "合成国家标准发布机构", f"合成{work.domain}主管部门"
    elif work.level == "industry":
        publisher = authority = f"合成{work.code.split('/')[0]}行业主管部门"
    elif local:
        publisher, authority = f"{work.region}合成市场监管部门", f"{work.region}合成{work.domain}主管部门"
    else:
        publisher, authority = f"合成第{ASSOCIATIONS.index(work.code[2:]) + 1}协会", ""
    return {
        "number": edition.number,
        "title_zh": f"合成标准 第{work.index}号 {part_zh}{end_zh}",
        "title_en": f"Synthetic standard No. {work.index} — {part_en}{end_en}" if rng.random() < 0.4 else "",
        "nature": nature(work.code),
        "status": edition.status,
        "issued": edition.issued.isoformat(),
        "implemented": edition.implemented.isoformat(),
        "ccs": rng.choice(CCS) if rng.random() < (0.4 if local else 0.8) else "",
        "ics": rng.choice(ICS) if rng.random() < (0.4 if local else 0.8) else "",
        "committee_code": f"SAC/TC {900 + committee}" if committee else "",
        "committee": (f"全国合成第{committee}标准化技术委员会" if committee else
                      f"{work.region}合成第{work.index % 20 + 1}标准化技术委员会" if work.local_committee else ""),
        "competent_authority": authority,
        "publisher": publisher,
        "replaces": edition.replaces,
        "normative_references": "; ".join(edition.references),
        "domain": work.domain,
        "note": NOTE,
        "source": f"stdkg synth --seed {seed}",
        "service_item": work.item,
        "standard_type": type_zh,
        "region": work.region if local else "",
        "local_counterpart_of": edition.counterpart,
    }


def generate(editions: int, seed: int, errors: int | None = None) -> tuple[str, dict[str, object]]:
    """The CSV text of ``editions`` synthetic rows for ``seed``, with ``errors`` seeded errors of
    each kind (default: one per 5,000 rows, at least one), and the manifest of those errors.
    Same arguments, same text."""
    from .synth_errors import default_errors, seed_errors

    rng = random.Random(seed)
    works = make_works(editions, rng)
    rows = make_editions(works, rng)
    per_kind = default_errors(editions) if errors is None else errors
    manifest = seed_errors(rows, random.Random(seed * 7919 + 1), per_kind)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, BASE_COLUMNS + EXTRA_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for edition in rows:
        writer.writerow(row(edition, rng, seed))
    return buffer.getvalue(), {"synthetic": True, "note": NOTE, "editions": editions, "seed": seed,
                               "errors_per_kind": per_kind, "as_of": AS_OF.isoformat(), "errors": manifest}


def readme(editions: int, seed: int, errors: int) -> str:
    return f"""# Synthetic data — 合成数据，非真实标准

`standards.csv` in this folder is **synthetic**: {editions} invented standard editions for load
tests and benchmarks of stdkg. No row is a real standard. Every serial number is ≥ {MIN_SERIAL}
(e.g. `GB/T 900123-2019`), committees are `SAC/TC 9NN 全国合成第N标准化技术委员会`, associations
`T/SYN…`, titles `合成标准 第N号 …`. Only some normative references point to real numbers, taken
from the bundled data/bps/standards.csv; they load as external stubs.

Errors are seeded on purpose, {errors} of each kind; `seeded-errors.yaml` names, per kind,
the validation rule or analysis finding that reports it, how many results it gives and the
standards concerned. Apart from them the rows are clean for those rules.

Generated by:

    stdkg synth --editions {editions} --seed {seed} --errors {errors} --out <this folder>

The same command and seed give byte-identical files. Statuses are as of {AS_OF.isoformat()}.
Load it with `stdkg build --input <this folder> --strict`.
"""


def write_corpus(editions: int, seed: int, out: Path, errors: int | None = None) -> Path:
    """Write standards.csv, seeded-errors.yaml and SYNTHETIC.md into ``out``; returns the CSV's path."""
    if reason := refuse_out(out):
        raise ValueError(reason)
    text, manifest = generate(editions, seed, errors)
    out.mkdir(parents=True, exist_ok=True)
    table = out / "standards.csv"
    table.write_bytes(text.encode("utf-8"))
    # YAML, not JSON: `stdkg build --input <folder>` reads every .json in it as a table.
    (out / MANIFEST).write_bytes(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False).encode("utf-8"))
    (out / "SYNTHETIC.md").write_bytes(readme(editions, seed, int(manifest["errors_per_kind"])).encode("utf-8"))  # type: ignore[call-overload]
    return table


def load_manifest(folder: Path) -> dict[str, object]:
    """The seeded-errors manifest of a corpus folder written by write_corpus."""
    return yaml.safe_load((folder / MANIFEST).read_text(encoding="utf-8"))
