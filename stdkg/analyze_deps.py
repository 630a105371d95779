"""Dependency health and impact over the normative-reference graph (reference_edges.rq).

The work-level graph has an edge from the work of a citing standard to the work it cites
(dated or not), so a cycle of any length shows as a strongly connected component (networkx);
the SHACL gate only finds mutual references. ``impact`` walks the same references backwards
from one edition, keeping dated references apart from undated ones.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pyoxigraph as ox

from .analyze import Doc, load_facts, run, run_sorted, work_titles
from .numbers import StandardNumberError
from .problems import StdkgError
from .sparql import standard_iri
from .vocab import DEFAULT_BASE

NEIGHBOURHOODS = 6  # hubs drawn in the report
NEIGHBOURS = 12  # citing standards drawn per hub


def _edge_order(edge: dict[str, object]) -> tuple[object, ...]:
    """reference_edges.rq's ORDER BY ?citing_number ?cited_number ?citing ?cited (all bound)."""
    return (edge["citing_number"], edge["cited_number"], edge["citing"], edge["cited"])


def reference_graph(edges: list[dict[str, object]]) -> nx.DiGraph:
    """Work → cited work, with how many references are dated and undated on each edge."""
    graph = nx.DiGraph()
    for edge in edges:
        u, v = str(edge["citing_work"]), str(edge["cited_work"])
        if not graph.has_edge(u, v):
            graph.add_edge(u, v, dated=0, undated=0)
        graph[u][v]["dated" if edge["dated"] else "undated"] += 1
    return graph


def pagerank(graph: nx.DiGraph, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 1000) -> dict[str, float]:
    """PageRank by power iteration, as networkx.pagerank computes it (uniform teleport, dangling
    nodes' rank spread evenly), without SciPy; stops when the L1 change is below len(graph) × tol.
    With NumPy the same floating-point operations run in the same order (``_iterate_numpy``), so
    the ranks are equal to the last bit to those of the plain-Python loop (``_iterate``)."""
    nodes = sorted(graph)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    out = [[index[v] for v in sorted(graph.successors(node))] for node in nodes]
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - numpy is a dependency
        rank = _iterate(out, alpha, tol, max_iter)
    else:
        rank = _iterate_numpy(out, alpha, tol, max_iter)
    return {node: rank[i] for node, i in index.items()}


def _iterate(out: list[list[int]], alpha: float, tol: float, max_iter: int) -> list[float]:
    """The power iteration over successor lists, in plain Python (the reference)."""
    n = len(out)
    dangling = [i for i, succ in enumerate(out) if not succ]
    rank = [1.0 / n] * n
    for _ in range(max_iter):
        base = (1.0 - alpha) / n + alpha * sum(rank[i] for i in dangling) / n
        new = [base] * n
        for i, succ in enumerate(out):
            if succ:
                share = alpha * rank[i] / len(succ)
                for j in succ:
                    new[j] += share
        change = sum(abs(a - b) for a, b in zip(new, rank))
        rank = new
        if change < n * tol:
            break
    return rank


def _iterate_numpy(out: list[list[int]], alpha: float, tol: float, max_iter: int) -> list[float]:
    """``_iterate`` with NumPy, operation for operation: np.add.at adds the shares into each
    node in edge order (sources ascending, as the loop does) and cumsum sums left to right, as
    Python's sum does (np.sum would sum pairwise and round otherwise)."""
    import numpy as np

    n = len(out)
    degree = np.array([len(succ) for succ in out], dtype=np.float64)
    sources = np.repeat(np.arange(n), degree.astype(np.intp))
    targets = np.fromiter((j for succ in out for j in succ), dtype=np.intp, count=len(sources))
    linked = degree > 0
    dangling = np.flatnonzero(~linked)
    rank = np.full(n, 1.0 / n)
    share = np.zeros(n)
    for _ in range(max_iter):
        lost = float(np.cumsum(rank[dangling])[-1]) if len(dangling) else 0
        new = np.full(n, (1.0 - alpha) / n + alpha * lost / n)
        share[linked] = alpha * rank[linked] / degree[linked]
        np.add.at(new, targets, share[sources])
        change = float(np.cumsum(np.abs(new - rank))[-1])
        rank = new
        if change < n * tol:
            break
    return rank.tolist()


def _number(docs: dict[str, Doc], iri: str) -> str:
    doc = docs.get(iri)
    return doc.number if doc else iri.rsplit("/", 1)[-1]


def _work_entry(docs: dict[str, Doc], titles: tuple[dict[str, str], dict[str, str]], work: str) -> dict[str, object]:
    doc = docs.get(work)
    return {"standard": work, "number": _number(docs, work), "title_zh": titles[0].get(work),
            "title_en": titles[1].get(work), "level": doc.level if doc else None, "stub": bool(doc and doc.stub)}


def cycles(graph: nx.DiGraph, docs: dict[str, Doc]) -> tuple[list[dict[str, object]], list[str]]:
    """Reference cycles between works (strongly connected components of two or more works, each
    with one cycle through it to show), and works whose editions cite another edition of the same
    work (self-references)."""
    plain = nx.DiGraph((u, v) for u, v in graph.edges if u != v)
    found = []
    for component in nx.strongly_connected_components(plain):
        if len(component) < 2:
            continue
        members = sorted(component, key=lambda w: _number(docs, w))
        loop = [u for u, _ in nx.find_cycle(plain.subgraph(component), source=members[0])]
        found.append({"works": [_number(docs, w) for w in members], "size": len(members),
                      "cycle": [_number(docs, w) for w in loop + loop[:1]]})
    selfish = sorted(_number(docs, u) for u, v in graph.edges if u == v)
    return sorted(found, key=lambda c: (-int(c["size"]), c["works"])), selfish  # type: ignore[call-overload]


def dependencies(store: ox.Store, docs: dict[str, Doc], titles: dict[str, str], top: int) -> dict[str, object]:
    """References to abolished editions, dangling references, cycles, and the most depended-on works.

    In-degree counts the distinct works that cite a work; PageRank (``pagerank``) also credits
    being cited by much-cited works. The ranking is by in-degree, then PageRank, then number. Dangling references point to external stubs: standards the
    graph knows only by the number cited.
    """
    edges = run_sorted(store, "reference_edges", _edge_order)
    both = (titles, work_titles(docs, "en"))
    graph = reference_graph(edges)
    found_cycles, self_references = cycles(graph, docs)
    plain = nx.DiGraph(graph)
    plain.remove_edges_from([(u, v) for u, v in graph.edges if u == v])
    ranks = pagerank(plain)
    ranked = sorted((w for w in plain if plain.in_degree(w)),
                    key=lambda w: (-plain.in_degree(w), -round(ranks[w], 12), _number(docs, w)))
    most = [{**_work_entry(docs, both, w), "in_degree": plain.in_degree(w), "pagerank": round(ranks[w], 6)}
            for w in ranked[:top]]
    neighbourhoods = []
    for work in ranked[:min(top, NEIGHBOURHOODS)]:
        citing = sorted(plain.predecessors(work), key=lambda u: (-plain.in_degree(u), _number(docs, u)))
        neighbourhoods.append({
            **_work_entry(docs, both, work), "in_degree": plain.in_degree(work),
            "cited_by": [{**_work_entry(docs, both, u), **plain[u][work]} for u in citing[:NEIGHBOURS]],
            "cites": [{**_work_entry(docs, both, v), **plain[work][v]}
                      for v in sorted(plain.successors(work), key=lambda v: _number(docs, v))[:NEIGHBOURS // 2]]})
    stubs: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        if edge["cited_stub"]:
            stubs[str(edge["cited"])].add(str(edge["citing"]))
    dangling = sorted(({"standard": s, "number": _number(docs, s), "title_zh": docs[s].title if s in docs else None,
                        "title_en": docs[s].title_en if s in docs else None, "cited_by": len(c)} for s, c in stubs.items()), key=lambda d: (-int(d["cited_by"]), d["number"]))  # type: ignore[call-overload]
    return {
        "references": len(edges), "works": plain.number_of_nodes(), "edges": plain.number_of_edges(),
        "dated_references": sum(1 for e in edges if e["dated"]),
        "undated_references": sum(1 for e in edges if not e["dated"]),
        "abolished_references": abolished_references(store, docs),
        "dangling": {"references": sum(len(c) for c in stubs.values()), "stubs": dangling},
        "cycles": found_cycles, "self_references": self_references,
        "most_depended_on": most, "neighbourhoods": neighbourhoods,
    }


def abolished_references(store: ox.Store, docs: dict[str, Doc]) -> list[dict[str, object]]:
    """Dated references to editions abolished or replaced (the library's cites_withdrawn_editions.rq)."""
    found: dict[tuple[str, str], dict[str, object]] = {}
    for row in run(store, "cites_withdrawn_editions"):
        citing, cited = str(row["citing"]), str(row["cited"])
        entry = found.setdefault((citing, cited), {
            "citing": docs[citing].brief() if citing in docs else {"number": row["citing_number"]},
            "cited": docs[cited].brief() if cited in docs else {"number": row["cited_number"]}, "replaced_by": []})
        if row["replaced_by_number"] and row["replaced_by_number"] not in entry["replaced_by"]:
            entry["replaced_by"].append(row["replaced_by_number"])  # type: ignore[attr-defined]
    return [found[k] for k in sorted(found, key=lambda k: (_number(docs, k[0]), _number(docs, k[1])))]


# ------------------------------------------------------------------------------------- impact

def impact(store: ox.Store, number: str, base: str = DEFAULT_BASE, depth: int | None = None) -> dict[str, object]:
    """What revising or abolishing one edition (or a whole work) touches.

    Direct: the standards whose normative references name it. A dated reference pins this
    edition and must be amended; an undated one (to the work) follows whichever edition is
    current, so it counts only while this edition may be current (not abolished or replaced),
    and needs a check rather than an amendment. Transitive: the same, again, from each affected
    standard, up to ``depth`` steps (None: all). Local counterparts that declare it
    (stdkg:localCounterpartOf) must follow; thematic matches are listed apart.
    """
    try:
        iri = standard_iri(number, base).value
    except StandardNumberError as exc:
        raise StdkgError(str(exc)) from exc
    docs = load_facts(store)
    if iri not in docs:
        raise StdkgError(f"图谱中没有标准 {number} / {number} is not in the graph")
    target = docs[iri]
    titles = work_titles(docs)
    cited_by: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for edge in run(store, "reference_edges"):
        cited_by[str(edge["cited"])].append((str(edge["citing"]), bool(edge["dated"])))
    editions: dict[str, list[str]] = defaultdict(list)
    for doc in docs.values():
        if doc.dated:
            editions[doc.work].append(doc.iri)

    def citers(node: str) -> list[tuple[str, str, str]]:
        doc = docs[node]
        found = [(c, "dated" if dated else "undated", node) for c, dated in cited_by[node]]
        if doc.dated and doc.may_be_current:
            found += [(c, "undated", doc.work) for c, _ in cited_by[doc.work]]
        if not doc.dated:
            found += [(c, "dated", e) for e in editions[node] for c, _ in cited_by[e]]
        return sorted(set(found), key=lambda f: (_number(docs, f[0]), f[1], _number(docs, f[2])))

    affected: dict[str, dict[str, object]] = {}
    frontier, step = [iri], 0
    while frontier and (depth is None or step < depth):
        step += 1
        following = []
        for node in frontier:
            for citing, kind, cited in citers(node):
                if citing == iri or citing in affected or citing not in docs:
                    continue
                affected[citing] = {**docs[citing].brief(), "depth": step, "reference": kind,
                                    "cites": _number(docs, cited), "via": _number(docs, node)}
                following.append(citing)
        frontier = following
    ordered = sorted(affected.values(), key=lambda a: (a["depth"], a["reference"], a["number"]))  # type: ignore[call-overload]

    counterparts: dict[str, list[dict[str, object]]] = {"declared": [], "thematic": []}
    whole = {target.number, _number(docs, target.work)} if (not target.dated or target.may_be_current) else {target.number}
    for row in run(store, "local_support_links"):
        if row["relation"] and str(row["work"]) == target.work and (not target.dated or row["target_number"] in whole):
            local = docs.get(str(row["local"]))
            counterparts[str(row["relation"])].append({
                **(local.brief() if local else {"number": row["local_number"]}), "province_zh": row["province_zh"],
                "counterpart_of": row["target_number"]})
    touched = [target] + [docs[str(a["standard"])] for a in ordered] + \
              [docs[str(c["standard"])] for c in counterparts["declared"] if c.get("standard") in docs]
    committees: dict[str, int] = defaultdict(int)
    items: dict[str, int] = defaultdict(int)
    for doc in touched:
        for name in doc.committees.values():
            committees[name] += 1
        for name in doc.items.values():
            items[name] += 1
    direct = [a for a in ordered if a["depth"] == 1]
    return {
        "schema": "stdkg-impact/1",
        "standard": {**target.brief(), "dated": target.dated, "stub": target.stub, "in_system": target.in_system,
                     "may_be_current": target.may_be_current, "work": _number(docs, target.work),
                     "work_title_zh": titles.get(target.work)},
        "summary": {"direct": len(direct), "direct_dated": sum(1 for a in direct if a["reference"] == "dated"),
                    "direct_undated": sum(1 for a in direct if a["reference"] == "undated"),
                    "transitive": len(ordered) - len(direct),
                    "possibly_in_force": sum(1 for a in ordered if docs[str(a["standard"])].may_be_current),
                    "local_declared": len(counterparts["declared"]), "local_thematic": len(counterparts["thematic"]),
                    "committees": len(committees), "service_items": len(items)},
        "direct": direct, "transitive": [a for a in ordered if a["depth"] != 1],
        "local_counterparts": counterparts,
        "committees": [{"committee": k, "standards": v} for k, v in sorted(committees.items(), key=lambda x: (-x[1], x[0]))],
        "service_items": [{"item_zh": k, "standards": v} for k, v in sorted(items.items(), key=lambda x: (-x[1], x[0]))],
    }
