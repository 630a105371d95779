"""Indented JSON text for the large reports (analysis.json, validation.json), fast.

``dumps`` returns exactly what ``json.dumps(doc, ensure_ascii=False, indent=2)`` returns, so the
files stay byte for byte what they were, in about a tenth of the time: with an indent the
standard library encodes in pure Python (its C encoder has no indent), which took seconds for
the tens of megabytes a national-scale corpus gives. orjson writes the same text except for
how some floats are spelt: it writes 1e-5 as 0.00001 and 3e-06 as 3e-6 where Python writes
1e-05 and 3e-06. Those numbers are found line by line (with a two-space indent every number
stands alone after "key": or at the start of an array line; a string's newline is escaped, so
no string can look like one) and spelt again by ``float.__repr__``, as json does.
Whatever orjson refuses (keys that are not strings, integers beyond 64 bits, lone surrogates)
goes to the standard library, as does everything when orjson is not installed.
Limit: orjson writes NaN and infinities as null where json writes NaN; stdkg's reports hold no
such value (every rate of nothing is None).
"""

from __future__ import annotations

import json
import re

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps a broken install working
    orjson = None

# A float orjson spells otherwise than Python: any with an exponent, or below 1e-4 written out.
_FLOAT = re.compile(rb"(?m)(^ *|: )(-?(?:0\.0000\d+|\d+(?:\.\d+)?e[-+]?\d+))(?=,?$)")
# Scanning tens of megabytes with that pattern costs more than the encoding saves, so lines are
# picked first by plain substring search on a copy whose digits are all 0: "3e-6" reads "0e-0".
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_MARKS = (b"0e-", b"0e+", b"0e0", b"0.0000")


def _python_float(match: re.Match[bytes]) -> bytes:
    return match.group(1) + float.__repr__(float(match.group(2))).encode()


def _respell_floats(raw: bytes) -> bytes:
    zeros = raw.translate(_ZEROS)
    lines: set[int] = set()  # start offsets of the lines that may hold such a float
    for mark in _MARKS:
        at = zeros.find(mark)
        while at != -1:
            lines.add(raw.rfind(b"\n", 0, at) + 1)
            at = zeros.find(mark, at + 1)
    if not lines:
        return raw
    parts, done = [], 0
    for start in sorted(lines):
        end = raw.find(b"\n", start)
        end = len(raw) if end == -1 else end
        parts += [raw[done:start], _FLOAT.sub(_python_float, raw[start:end])]
        done = end
    parts.append(raw[done:])
    return b"".join(parts)


def dumps(doc: object, floats: bool = True) -> str:
    """``json.dumps(doc, ensure_ascii=False, indent=2)``, byte for byte, faster. ``floats=False``
    says the document holds no float (a validation report: strings and counts), which skips
    looking for floats to spell again: a scan of the whole text, ~1.5 s for a national report."""
    raw = _orjson(doc, floats)
    return json.dumps(doc, ensure_ascii=False, indent=2) if raw is None else raw.decode("utf-8")


def dumps_utf8(doc: object, floats: bool = True) -> bytes:
    """``dumps(doc, floats)`` encoded as UTF-8, for a caller that writes bytes: a national
    report is ~200 MB, and decoding it only to encode it again for stdout takes ~1 s."""
    raw = _orjson(doc, floats)
    return dumps(doc).encode("utf-8") if raw is None else raw


def _orjson(doc: object, floats: bool) -> bytes | None:
    """The text as orjson writes it, floats spelt as Python does; None when orjson refuses."""
    if orjson is None:
        return None
    try:
        # Dataclasses, dates and the like go to ``default`` (there is none), so they fail as
        # they do in json instead of being written in orjson's own way.
        raw = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS
                           | orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    return _respell_floats(raw) if floats else raw
