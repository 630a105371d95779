"""stdkg.jsontext.dumps must give json.dumps(doc, ensure_ascii=False, indent=2) byte for byte:
analysis.json and validation.json are compared across releases."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from stdkg import jsontext


def reference(doc: object) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


scalars = st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text() | \
    st.floats(allow_nan=False, allow_infinity=False)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                         max_leaves=30)


@settings(max_examples=400)
@given(documents)
def test_same_text_as_json(doc: object) -> None:
    assert jsontext.dumps(doc) == reference(doc)


def test_floats_python_spells_otherwise() -> None:
    # orjson writes these as 0.00001, 3e-6, 1e16 …; the report must keep Python's spelling.
    values = [1e-05, 3e-06, -2.5e-05, 1e16, 1.5e+16, 1.2345678901234568e+17, 5e-324, 1e-4, 0.0, -0.0, 100.0]
    doc = {"a": values, "b": [{"pagerank": v} for v in values], "c": [[v] for v in values]}
    assert jsontext.dumps(doc) == reference(doc)
    assert '"pagerank": 1e-05' in jsontext.dumps(doc)


def test_what_orjson_refuses_goes_to_json() -> None:
    for doc in ({1: "int key", None: "null key"}, {"big": 2**70}, {"surrogate": "\ud800"}, [("a", 1), ()]):
        assert jsontext.dumps(doc) == reference(doc)


float_free = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(),
                          lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                          max_leaves=30)


@settings(max_examples=200)
@given(float_free)
def test_a_document_without_floats_needs_no_respelling(doc: object) -> None:
    # floats=False (a validation report) skips the float scan; bytes skip the decode for stdout.
    assert jsontext.dumps(doc, floats=False) == reference(doc)
    assert jsontext.dumps_utf8(doc, floats=False) == reference(doc).encode("utf-8")
    assert jsontext.dumps_utf8(doc) == reference(doc).encode("utf-8")
