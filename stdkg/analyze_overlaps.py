"""Overlaps: the same item and type from different committees or levels, near-duplicate titles,
and committees whose portfolios overlap (a bipartite projection with Jaccard weights).

Near-duplicate titles use character n-grams, which work for Chinese without a word segmenter:
see ``title_tokens`` and ``near_duplicate_titles``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict

import networkx as nx
import pyoxigraph as ox

from .analyze import Doc, committee_label, key, run
from .numbers import StandardNumberError, parse_standard_number

LEVEL_ORDER = ("national", "industry", "local", "group", "enterprise", "international")
_SYMBOL = re.compile(r"[a-z0-9]+|[^\W\d_a-z]")


# ------------------------------------------------------------------------- same item and type

def item_type_overlaps(store: ox.Store) -> list[dict[str, object]]:
    """Items with several standards of one type, in force or of unknown status, from different
    committees or levels (same_item_and_type.rq): one entry per item and type."""
    groups: dict[tuple[str, str], dict[str, object]] = {}
    for row in run(store, "same_item_and_type"):
        group = groups.setdefault((str(row["item"]), str(row["type"])), {
            "item": row["item"], "item_zh": row["item_zh"], "type": key(row["type"], "type-"), "standards": {}})
        member = group["standards"].setdefault(row["doc"], {  # type: ignore[attr-defined]
            "standard": row["doc"], "number": row["number"], "title_zh": row["title_zh"],
            "level": key(row["level"], "level-"), "status": key(row["status"], "status-") or "unknown", "committees": []})
        if row["committee"]:
            name = committee_label(row["committee_code"], row["committee_zh"], row["committee"])
            if name not in member["committees"]:
                member["committees"].append(name)
    out = []
    for group in groups.values():
        members = sorted(group["standards"].values(), key=lambda m: str(m["number"]))  # type: ignore[attr-defined]
        out.append({**group, "standards": members,
                    "levels": sorted({m["level"] for m in members}, key=_level_rank),
                    "committees": sorted({c for m in members for c in m["committees"]}),
                    "current": sum(1 for m in members if m["status"] == "current")})
    return sorted(out, key=lambda g: (-len(g["standards"]), str(g["item_zh"]), str(g["type"])))  # type: ignore[arg-type]


def _level_rank(level: object) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


# ------------------------------------------------------------------------ near-duplicate titles

def title_tokens(title: str) -> set[str]:
    """Character bigrams of a title, after NFKC folding and dropping spaces and punctuation.

    A symbol is one Chinese character, or a run of Latin letters or digits ('iso', '2709'), so
    '公共图书馆业务规范 第1部分：省级公共图书馆' gives 公共, 共图 … 第1, 1部 …; a title of one
    symbol gives that symbol.
    """
    symbols = _SYMBOL.findall(unicodedata.normalize("NFKC", title).lower())
    if len(symbols) < 2:
        return set(symbols)
    return {a + "\u0001" + b if (a + b).isascii() else a + b for a, b in zip(symbols, symbols[1:])}


def near_duplicate_titles(records: list[tuple[str, str]], threshold: float) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity) of records (id, title) whose titles are alike, i < j.

    Similarity is the cosine of TF-IDF weighted character-bigram sets (``title_tokens``; idf =
    ln((1 + N) / (1 + df)) + 1 over the N titles compared), so shared rare pairs of characters
    count more than common ones such as 服务 or 规范; identical titles score 1.0. All pairs at
    or above ``threshold`` are found exactly, without comparing every pair: each title is indexed
    by its rarest tokens (a prefix whose remaining weight could not reach the threshold alone).
    """
    tokens = [title_tokens(title) for _, title in records]
    df: dict[str, int] = defaultdict(int)
    for toks in tokens:
        for tok in toks:
            df[tok] += 1
    n = len(records)
    idf = {tok: math.log((1 + n) / (1 + count)) + 1 for tok, count in df.items()}
    vectors: list[dict[str, float]] = []
    index: dict[str, list[int]] = defaultdict(list)
    found: list[tuple[int, int, float]] = []
    for i, toks in enumerate(tokens):
        ordered = sorted(toks, key=lambda t: (-idf[t], t))
        norm = math.sqrt(sum(idf[t] ** 2 for t in ordered)) or 1.0
        vector = {t: idf[t] / norm for t in ordered}
        vectors.append(vector)
        remaining = 1.0
        candidates: set[int] = set()
        for tok in ordered:
            if remaining < threshold * threshold - 1e-12:
                break
            candidates.update(index[tok])
            index[tok].append(i)
            remaining -= vector[tok] ** 2
        for j in candidates:
            other = vectors[j]
            score = sum(w * other[t] for t, w in vector.items() if t in other)
            if score >= threshold - 1e-9:
                found.append((j, i, min(1.0, round(score, 4))))
    return sorted(found)


def _series(number: str) -> str | None:
    """Code and base serial ('GB/T 40987' for GB/T 40987.1-2021): parts of one standard share it."""
    try:
        parsed = parse_standard_number(number)
    except StandardNumberError:
        return None
    return f"{parsed.code} {parsed.serial.split('.', 1)[0]}"


def title_duplicates(docs: dict[str, Doc], threshold: float) -> dict[str, object]:
    """Near-duplicate titles among the system's standards, across works and series.

    Compared: one record per work and distinct title (its latest edition), so editions of one
    work never pair up; pairs within one series (GB/T 40987.1 and .2, parts of one standard) are
    left out. Each pair is labelled by its levels, e.g. "national–industry".
    """
    latest: dict[tuple[str, str], Doc] = {}
    for doc in sorted(docs.values(), key=lambda d: d.number):
        if doc.in_system and doc.title:
            latest[(doc.work, "".join(sorted(title_tokens(doc.title))))] = doc
    records = sorted(latest.values(), key=lambda d: (d.number, d.iri))
    pairs = []
    for i, j, score in near_duplicate_titles([(d.iri, d.title or "") for d in records], threshold):
        a, b = sorted((records[i], records[j]), key=lambda d: (_level_rank(d.level), d.number))
        if a.work == b.work or (_series(a.number) or a.number) == (_series(b.number) or b.number):
            continue
        pairs.append({"similarity": score, "levels": f"{a.level}–{b.level}", "a": a.brief(), "b": b.brief()})
    pairs.sort(key=lambda p: (-p["similarity"], p["a"]["number"], p["b"]["number"]))  # type: ignore[index]
    by_levels: dict[str, int] = defaultdict(int)
    for pair in pairs:
        by_levels[str(pair["levels"])] += 1
    return {"threshold": threshold, "compared": len(records), "pairs": pairs, "by_levels": dict(sorted(by_levels.items()))}


# -------------------------------------------------------------------------- committee overlap

def committee_overlaps(store: ox.Store) -> dict[str, list[dict[str, object]]]:
    """Committees of national and industry standards whose service items (and, coarser, domains)
    overlap (committee_portfolios.rq).

    The committee–item graph is bipartite; its projection onto committees
    (networkx ``overlap_weighted_projected_graph`` with ``jaccard=True``) weights two committees
    by |shared| / |either|. Only standards not known to be abolished count.
    """
    names: dict[str, str] = {}
    portfolios: dict[str, dict[str, dict[str, str]]] = {"item": defaultdict(dict), "domain": defaultdict(dict)}
    for row in run(store, "committee_portfolios"):
        committee = str(row["committee"])
        names[committee] = committee_label(row["committee_code"], row["committee_zh"], committee)
        for level in ("item", "domain"):
            if row[level]:
                portfolios[level][committee][str(row[level])] = str(row[f"{level}_zh"])
    out: dict[str, list[dict[str, object]]] = {}
    for level, portfolio in portfolios.items():
        graph = nx.Graph()
        committees = sorted(portfolio)
        graph.add_nodes_from(("c", c) for c in committees)
        for committee, concepts in portfolio.items():
            graph.add_edges_from((("c", committee), ("x", concept)) for concept in concepts)
        projected = nx.bipartite.overlap_weighted_projected_graph(graph, [("c", c) for c in committees], jaccard=True)
        pairs = []
        for (_, u), (_, v), weight in projected.edges(data="weight"):
            a, b = sorted((u, v), key=lambda c: names[c])
            shared = sorted(set(portfolio[a]) & set(portfolio[b]), key=lambda x: portfolio[a][x])
            pairs.append({"a": names[a], "b": names[b], "committee_a": a, "committee_b": b,
                          "jaccard": round(weight, 4), "shared": [portfolio[a][x] for x in shared],
                          "a_total": len(portfolio[a]), "b_total": len(portfolio[b])})
        out[f"by_{level}"] = sorted(pairs, key=lambda p: (-p["jaccard"], -len(p["shared"]), p["a"], p["b"]))  # type: ignore[operator]
    return out


def overlaps(store: ox.Store, docs: dict[str, Doc], similarity: float) -> dict[str, object]:
    return {"item_type": item_type_overlaps(store), "titles": title_duplicates(docs, similarity),
            "committees": committee_overlaps(store)}

