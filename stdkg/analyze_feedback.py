"""Implementation feedback per edition (标准实施反馈), and editions flagged by repeated
"outdated" or "conflicting" feedback, set beside the review-due list.

The rows come from queries/workplan/feedback_by_edition.rq.
"""

from __future__ import annotations

import pyoxigraph as ox

from .analyze import key, run

CATEGORIES = ("unclearClause", "outdated", "conflicting", "other")
FLAGGING = ("outdated", "conflicting")  # feedback that calls for a review or a revision
REPEATED = 2  # this many of one flagging category make a flag


def feedback(store: ox.Store, review: dict[str, object] | None = None) -> dict[str, object]:
    """Feedback counts per edition; ``flagged`` lists editions with ≥ REPEATED feedback of a
    flagging category, each saying whether the review-due list (``review``) already has it."""
    due = {str(e["standard"]): e for c in (review or {}).get("committees", []) for e in c["due_editions"]}  # type: ignore[attr-defined]
    editions: dict[str, dict[str, object]] = {}
    for row in run(store, "feedback_by_edition"):
        entry = editions.setdefault(str(row["edition"]), {
            "standard": row["edition"], "number": row["number"], "title_zh": row["title_zh"], "total": 0,
            "by_category": {c: 0 for c in CATEGORIES}})
        category = key(row["category"], "feedback-")
        entry["by_category"][category] = entry["by_category"].get(category, 0) + int(row["feedback"])  # type: ignore[index,union-attr,call-overload]
        entry["total"] += int(row["feedback"])  # type: ignore[operator,call-overload]
    ordered = sorted(editions.values(), key=lambda e: (-int(e["total"]), str(e["number"])))  # type: ignore[call-overload]
    flagged = []
    for entry in ordered:
        reasons = [c for c in FLAGGING if entry["by_category"][c] >= REPEATED]  # type: ignore[index]
        entry["flags"] = reasons
        if reasons:
            in_review = due.get(str(entry["standard"]))
            flagged.append({"standard": entry["standard"], "number": entry["number"], "title_zh": entry["title_zh"],
                            "flags": reasons, **{c: entry["by_category"][c] for c in FLAGGING},  # type: ignore[index]
                            "review_due": in_review is not None,
                            "review_years": in_review["years"] if in_review else None})
    return {"feedback": sum(int(e["total"]) for e in ordered), "repeated": REPEATED,  # type: ignore[call-overload]
            "editions": ordered, "flagged": flagged}

