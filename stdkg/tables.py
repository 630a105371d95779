"""Read source tables (CSV/TSV, XLSX, JSON) into header + numbered rows of text cells.

Row numbers are the ones a user sees in Excel or a text editor (the header is usually row 1),
so a rejection can say exactly where to look. Encodings: UTF-8 with or without BOM, UTF-16
with BOM (Excel's "Unicode text"), and GBK/GB18030 (what Excel writes on a Chinese Windows).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .problems import StdkgError

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json"}
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16")


@dataclass
class Table:
    """A table as read: its header and its non-blank rows, each with its 1-based row number."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[object]]]
    encoding: str | None = None
    blank_rows: int = 0
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def with_header_at(self, index: int) -> Table:
        """The same table read with its ``index``-th data row as the header (title rows above it skipped)."""
        number, cells = self.rows[index]
        table = Table(self.path, [_header_cell(c) for c in cells], self.rows[index + 1:], self.encoding,
                      self.blank_rows, self.sheet, list(self.notes))
        table.notes.append(f"表头在第{number}行，其上的标题行已跳过 / header found on row {number}; "
                           f"{index + 1} title row(s) above it skipped")
        return table

    @property
    def name(self) -> str:
        return self.path.name if self.sheet is None else f"{self.path.name}#{self.sheet}"


def read_table(path: Path, encoding: str | None = None) -> Table:
    """Read one table file; raise StdkgError (naming the file) when it cannot be read."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise StdkgError(f"{path}: 文件不存在 / file not found")
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    if suffix == ".json":
        return _read_json(path, encoding)
    if suffix in {".csv", ".tsv", ".txt"}:
        return _read_delimited(path, encoding)
    raise StdkgError(
        f"{path}: 不支持的表格格式 '{suffix}'（支持 CSV、TSV、XLSX、JSON）/ "
        f"unsupported table format '{suffix}' (use CSV, TSV, XLSX or JSON)"
    )


def decode(data: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """Decode bytes as the given encoding, or detect UTF-8 / UTF-16 (BOM) / GB18030."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError as exc:
            raise StdkgError(f"未知编码 / unknown encoding '{encoding}' (try utf-8, gbk, gb18030)") from exc
        except UnicodeDecodeError as exc:
            raise StdkgError(_decode_error(path, data, exc, encoding)) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", path), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", path), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        if utf8_error.end == len(data) and utf8_error.reason == "unexpected end of data":
            # Valid UTF-8 up to a character cut in two at the very end: a copy or download that stopped.
            line = data.count(b"\n") + 1
            raise StdkgError(f"{path}: 文件在第{line}行的一个字符中间结束，可能未完整复制或下载 / the file ends in the middle "
                             f"of a character on line {line}: it was probably cut off (an incomplete copy or download)") from None
        bad_line = data.count(b"\n", 0, utf8_error.start) + 1
        # GBK rows pasted into a UTF-8 file (or the reverse) would decode as GB18030 mojibake
        # without an error: a whole earlier (or later) line of Chinese that is valid UTF-8 says so.
        utf8_line = _utf8_line(data[:utf8_error.start]) or _utf8_line(data, after=bad_line)
        if utf8_line is not None:
            raise StdkgError(f"{path}: 第{utf8_line}行是 UTF-8，第{bad_line}行却不是（可能是 GBK）：文件混用了编码，"
                             f"请整体另存为 UTF-8，或用 --encoding 按一种编码读取整个文件 / line {utf8_line} is UTF-8 but line "
                             f"{bad_line} is not (GBK?): the file mixes encodings; save all of it as UTF-8, or pass --encoding "
                             "to read the whole file as one encoding")
        try:
            # GB18030 is a superset of GBK and GB2312: one decoder covers all three.
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise StdkgError(_decode_error(path, data, utf8_error, "utf-8 or gb18030")) from None


def _utf8_line(data: bytes, after: int = 0) -> int | None:
    """The number of the first complete line after line ``after`` that is valid UTF-8 holding at
    least 4 Chinese characters and little else beyond ASCII. GBK text passes for UTF-8 by chance
    mostly as two-byte sequences (Cyrillic, Greek, Latin letters: 一 = D2 BB reads as U+04BB), so
    only three-byte CJK sequences count, and four in a line (a title has more) are not chance."""
    lines = data.split(b"\n")
    if not data.endswith(b"\n"):
        lines.pop()  # an incomplete last line may end in a cut character
    for number, line in enumerate(lines[after:], start=after + 1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        beyond_ascii = [ch for ch in text if ord(ch) > 127]
        chinese = sum(_is_chinese(ch) for ch in beyond_ascii)
        if chinese >= 4 and chinese >= 0.8 * len(beyond_ascii):
            return number
    return None


def _is_chinese(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF


def _strict(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise StdkgError(_decode_error(path, data, exc, encoding)) from exc


def _decode_error(path: Path, data: bytes, exc: UnicodeDecodeError, tried: str) -> str:
    line = data[: exc.start].count(b"\n") + 1
    return (
        f"{path}: 第{line}行（字节 {exc.start}）无法按 {tried} 解码，文件可能混用了编码或已损坏；"
        f"请另存为 UTF-8，或用 --encoding 指定编码 / line {line} (byte {exc.start}) is not valid "
        f"{tried}: the file mixes encodings or is damaged; save it as UTF-8 or pass --encoding"
    )


MAX_LINE = 1 << 20  # bytes: a table's line is a few hundred; a longer one means the wrong kind of file
_MAGIC = {b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": ("旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV",
                                                 "an old Excel (.xls) file: save it as .xlsx or CSV"),
          b"PK\x03\x04": ("ZIP 文件（可能是 .xlsx），请改用 .xlsx 扩展名", "a ZIP file (an .xlsx?): give it the .xlsx suffix")}


def check_text_file(path: Path, encoding: str | None, lines: bool = True) -> None:
    """Refuse, before reading it whole, a file that cannot be a text table: an .xls or .xlsx
    under a text suffix, a NUL byte in the first line (binary, or UTF-16 without a byte-order
    mark), or (with ``lines``) a line longer than MAX_LINE. Reads 1 MiB at a time, so memory
    stays bounded whatever the size of the file."""
    wide = (encoding or "").lower().replace("-", "").replace("_", "").startswith(("utf16", "utf32"))
    with path.open("rb") as f:
        first = f.read(MAX_LINE)
        for magic, (zh, en) in _MAGIC.items():
            if first.startswith(magic):
                raise StdkgError(f"{path}: 不是文本表格，而是{zh} / not a text table but {en}")
        if wide or first.startswith((b"\xff\xfe", b"\xfe\xff")):
            return
        # A header never holds a NUL byte; UTF-16 without a BOM and binary files do, early on. (A stray
        # NUL further down is a cell's problem, not a reason to refuse the file.)
        header = first.split(b"\n", 1)[0]
        if b"\x00" in header:
            at = header.find(b"\x00")
            raise StdkgError(f"{path}: 第1行（字节 {at}）有 NUL 字节：这是二进制文件，或没有 BOM 的 UTF-16 文本；"
                             f"请另存为 UTF-8 CSV / line 1 (byte {at}) has a NUL byte: a binary file, or UTF-16 "
                             "without a byte-order mark; save it as UTF-8 CSV (or pass --encoding utf-16)")
        chunk, offset, line, line_start = first, 0, 1, 0  # line: number of the line chunk starts in
        while chunk and lines:
            # A line wholly inside one chunk is shorter than a chunk: only one that crosses into
            # this chunk (ends at its first break) or runs on past its last break can be too long.
            first_break = chunk.find(b"\n")
            if first_break >= 0:
                if offset + first_break - line_start > MAX_LINE:
                    _too_long(path, line)
                line, line_start = line + chunk.count(b"\n"), offset + chunk.rfind(b"\n") + 1
            if offset + len(chunk) - line_start > MAX_LINE:
                _too_long(path, line)
            offset += len(chunk)
            chunk = f.read(MAX_LINE)


def _too_long(path: Path, line: int) -> None:
    raise StdkgError(f"{path}: 第{line}行超过 {MAX_LINE >> 20} MiB，不像表格（整个文件只有一行？选错了文件？）/ "
                     f"line {line} is longer than {MAX_LINE >> 20} MiB: not a table (one line for the whole file? the wrong file?)")


def _read_delimited(path: Path, encoding: str | None) -> Table:
    check_text_file(path, encoding)
    text, used = decode(path.read_bytes(), path, encoding)
    sample = text[:4096]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise StdkgError(f"{path}: 第{reader.line_num}行 CSV 格式错误 / line {reader.line_num}: malformed CSV ({exc})") from exc
    # csv.reader reports the line a record ends on; rows spanning lines are rare in these tables.
    return _assemble(path, lines, encoding=used)


MAX_XLSX_XML = 256 << 20  # bytes of sheet and shared-string XML once unzipped (see _check_xlsx_size)


def _check_xlsx_size(path: Path) -> None:
    """Refuse an XLSX whose sheets unzip to more than MAX_XLSX_XML bytes, from the zip's directory
    alone. XML compresses a thousandfold, so a small file can hold gigabytes of cells (a "zip
    bomb"), and openpyxl keeps every cell of a sheet in memory. The national platform's full
    export (~100,000 rows) unzips to well under this."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(i.file_size for i in archive.infolist()
                       if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml")
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl says what is wrong with it
    if size > MAX_XLSX_XML:
        raise StdkgError(f"{path}: 工作表解压后达 {size >> 20} MiB，超过 {MAX_XLSX_XML >> 20} MiB 上限（压缩炸弹？），已拒绝；"
                         f"如确是真实数据，请另存为 CSV / its sheets unzip to {size >> 20} MiB, over the {MAX_XLSX_XML >> 20} MiB "
                         "limit (a zip bomb?): refused; if the data is real, save it as CSV")


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook  # imported here: loading openpyxl costs ~0.3 s

    _check_xlsx_size(path)
    try:
        # data_only: a formula cell gives the value Excel last computed, not the formula text.
        # Not read-only: only a full worksheet knows its merged cells.
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise StdkgError(f"{path}: 无法读取 XLSX 文件 / cannot read XLSX file ({type(exc).__name__}: {exc})") from exc
    try:
        sheet = book.worksheets[0]
        merged = list(sheet.merged_cells.ranges)
        for cell_range in merged:
            # Excel keeps a merged range's value in its top-left cell only; every row it spans means it.
            value = sheet.cell(cell_range.min_row, cell_range.min_col).value
            sheet.unmerge_cells(str(cell_range))
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                for col in range(cell_range.min_col, cell_range.max_col + 1):
                    sheet.cell(row, col).value = value
        lines = [(i, list(values)) for i, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
        for (row, col), formula in _uncomputed_formulas(path, sheet.title).items():
            if lines[row - 1][1][col - 1] is None:  # (openpyxl's cell setter would turn the marker into a str)
                lines[row - 1][1][col - 1] = UncomputedFormula(formula)
        table = _assemble(path, lines, encoding=None)
        if merged:
            table.notes.append(f"{len(merged)} 处合并单元格已按左上角的值填充 / {len(merged)} merged ranges filled from their top-left cell")
        if len(book.worksheets) > 1:
            table.notes.append(f"只读取了第一个工作表 '{sheet.title}' / only the first sheet '{sheet.title}' was read")
        return table
    finally:
        book.close()


class UncomputedFormula(str):
    """A formula cell whose file holds no computed value (written by a program, never opened in
    Excel or WPS): read with data_only it would be an empty cell, and a value would go missing."""

    zh = "公式没有缓存的计算结果：请先在 Excel 或 WPS 中打开并保存该文件"
    en = "formula without a cached value: open and save the file in Excel or WPS first"


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _uncomputed_formulas(path: Path, sheet_title: str) -> dict[tuple[int, int], str]:
    """(row, column) → formula text of the first sheet's formula cells, when the file has any.

    A cheap scan of the sheet XML for <f> first: only a workbook with formulas is opened a
    second time (read-only, formulas as text) to find where they are.
    """
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            if not any(_FORMULA_TAG.search(archive.read(n)) for n in sheets):
                return {}
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # the data_only load succeeded: a failure here is as damaged a file
        raise StdkgError(f"{path}: 无法读取 XLSX 文件 / cannot read XLSX file ({type(exc).__name__}: {exc})") from exc
    try:
        found: dict[tuple[int, int], str] = {}
        for row in book[sheet_title].iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    value = cell.value
                    found[(cell.row, cell.column)] = str(getattr(value, "text", value))  # ArrayFormula keeps .text
        return found
    finally:
        book.close()


def _read_json(path: Path, encoding: str | None) -> Table:
    check_text_file(path, encoding, lines=False)  # JSON on one line is normal
    text, used = decode(path.read_bytes(), path, encoding)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StdkgError(f"{path}: 第{exc.lineno}行第{exc.colno}列 JSON 格式错误 / line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})") from exc
    if isinstance(data, dict):
        # Platform exports wrap rows: {"rows": [...]}, {"records": [...]}, {"data": [...]}.
        data = next((v for k, v in data.items() if k in ("rows", "records", "data", "items") and isinstance(v, list)), None)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise StdkgError(f"{path}: JSON 应为对象数组 / JSON must be an array of objects (or {{\"rows\": [...]}})")
    header: list[str] = []
    for record in data:
        header.extend(k for k in record if k not in header)
    rows = [(i, [_json_cell(record.get(k)) for k in header]) for i, record in enumerate(data, start=1)]
    return Table(path, header, [r for r in rows if any(c not in (None, "") for c in r[1])], encoding=used)


def _json_cell(value: object) -> object:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _assemble(path: Path, lines: list[tuple[int, list[object]]], encoding: str | None) -> Table:
    blank = 0
    header: list[str] | None = None
    rows: list[tuple[int, list[object]]] = []
    for number, cells in lines:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            blank += 1
            continue
        if header is None:
            header = [_header_cell(c) for c in cells]
            continue
        rows.append((number, cells))
    if header is None:
        raise StdkgError(f"{path}: 表格为空，没有表头 / the table is empty: no header row")
    return Table(path, header, rows, encoding=encoding, blank_rows=blank)


def _header_cell(cell: object) -> str:
    return "" if cell is None else unicodedata.normalize("NFKC", str(cell)).strip()


def cell_text(value: object) -> str:
    """A cell as text: XLSX numbers and dates keep their meaning (20231 stays '20231')."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def iter_table_files(paths: list[Path], extra_suffixes: set[str] = set()) -> Iterator[Path]:
    """Files to load: each file as given, each folder's table (and ``extra_suffixes``) files in name order."""
    wanted = TABLE_SUFFIXES | extra_suffixes
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix.lower() in wanted and p.is_file())
        else:
            yield path
