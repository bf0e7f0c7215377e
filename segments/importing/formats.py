"""What an uploaded file is: CSV (which encoding, which delimiter), XLSX or JSON lines, or something
that is none of them, said in words a marketer can act on."""

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

SAMPLE_BYTES = 256 * 1024
SCAN_BYTES = 4 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
# An .xlsx is a zip of XML parts: real workbooks compress about 5-20 times, a zip bomb thousands.
MAX_XLSX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_XLSX_ENTRIES = 2_000
MAX_XLSX_RATIO = 200
# Excel writes and honours a first line "sep=;" that names the delimiter; it is not part of the table.
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]{3,}")
_EXCEL_SEPARATOR = re.compile(r"\ufeff?sep=([^\r\n])\r?\n")

_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file; save it as .xlsx or CSV",
    b"\x7fELF": "a program",
    b"MZ": "a program",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


class ImportFileError(ValueError):
    """A file the importer cannot read, with where the problem is when that is known."""

    def __init__(self, message: str, *, file_name: str = "", row: int | None = None, column: str = ""):
        self.message, self.file_name, self.row, self.column = message, file_name, row, column
        where = [file_name] if file_name else []
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column “{column}”")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class FileFormat:
    kind: str  # "csv", "xlsx", "jsonl" or "json" (one document: a list of records)
    encoding: str = "utf-8"
    delimiter: str = ","

    @property
    def description(self) -> str:
        if self.kind != "csv":
            return {
                "xlsx": "Excel workbook (first sheet)",
                "jsonl": f"JSON lines, {self.encoding}",
                "json": f"JSON document, {self.encoding}",
            }[self.kind]
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        return f"CSV, {self.encoding}, {names.get(self.delimiter, self.delimiter)}-separated"


def detect_format(path: Path, *, name: str) -> FileFormat:
    """Look at the first bytes of the file and decide how to read it; ImportFileError if it is not
    a file the importer takes."""
    with open(path, "rb") as file:
        sample = file.read(SAMPLE_BYTES)
        complete = len(sample) < SAMPLE_BYTES
    if not sample.strip():
        raise ImportFileError("The file is empty.", file_name=name)
    if sample.startswith(b"PK\x03\x04"):
        xlsx_check(path, name=name)
        return FileFormat("xlsx", encoding="", delimiter="")
    for magic, what in _MAGIC.items():
        if sample.startswith(magic):
            raise ImportFileError(f"This is {what}, not a CSV, XLSX or JSON lines file.", file_name=name)
    encoding = _encoding(sample, complete=complete, name=name)
    if encoding == "utf-8" and not complete and sample.isascii():
        encoding = _encoding_past_the_sample(path)
    text = _decode_sample(sample, encoding)
    _check_text(text, name=name)
    start = text.lstrip("\ufeff \r\n\t")
    if start.startswith("[") and start[1:].lstrip()[:1] in ("{", "[", "]"):  # not a "[Customer ID]" header
        return FileFormat("json", encoding=encoding, delimiter="")
    if start.startswith("{"):
        # A record printed over lines opens with "{" alone; JSON lines hold one record a line (the
        # first may be broken: that row is rejected, the file still read).
        kind = "json" if start.partition("\n")[0].strip() == "{" else "jsonl"
        return FileFormat(kind, encoding=encoding, delimiter="")
    return FileFormat("csv", encoding=encoding, delimiter=excel_separator(text) or sniff_delimiter(text))


def excel_separator(first_line: str) -> str:
    """The delimiter named by an Excel "sep=" line at the start of the text, or ""."""
    declared = _EXCEL_SEPARATOR.match(first_line)
    return declared.group(1) if declared else ""


def xlsx_check(path: Path, *, name: str) -> None:
    """Refuse zip bombs and other zips before openpyxl inflates anything."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError(f"The workbook is damaged ({error}).", file_name=name) from error
    if len(entries) > MAX_XLSX_ENTRIES:
        raise ImportFileError(
            f"The workbook holds {len(entries):,} parts; that is not a normal .xlsx.", file_name=name
        )
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise ImportFileError("This is a zip archive, not an Excel workbook (.xlsx).", file_name=name)
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if unpacked > MAX_XLSX_UNCOMPRESSED or unpacked / packed > MAX_XLSX_RATIO:
        raise ImportFileError(
            f"The workbook would unpack to {unpacked / 1e6:,.0f} MB from {packed / 1e6:,.1f} MB; "
            "that looks like a zip bomb, so it was not opened. Export the sheet as CSV instead.",
            file_name=name,
        )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (more than one) of fields."""
    lines = text.splitlines()[:50]
    if len(lines) > 2:
        lines = lines[:-1]  # the sample may end inside a line
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter) if row
            ]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode) / len(counts), mode) if mode > 1 else (0.0, 1)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _encoding(sample: bytes, *, complete: bool, name: str) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    # Without a BOM, UTF-16 shows as a NUL beside each ASCII character; a few characters of other
    # scripts (一 is 00 4E) put some on the other side.
    if odd_nuls > len(sample) // 4 and even_nuls * 4 < odd_nuls and _decodes(sample, "utf-16-le"):
        return "utf-16-le"
    if even_nuls > len(sample) // 4 and odd_nuls * 4 < even_nuls and _decodes(sample, "utf-16-be"):
        return "utf-16-be"
    if b"\x00" in sample:
        raise ImportFileError(
            "The file contains NUL bytes: it looks like a binary file, not text.", file_name=name
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError as error:
        before = sample[: error.start]
        if not before.isascii():  # accents written in UTF-8 above, then a byte that is not
            raise ImportFileError(
                f"This line is not valid UTF-8 text ({error.reason}), though the lines above are: "
                "the file mixes two encodings. Save it as UTF-8 again.",
                file_name=name,
                row=before.count(b"\n"),
            ) from error
    return _single_byte_encoding(sample)


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _single_byte_encoding(sample: bytes) -> str:
    """cp1252, which spreadsheets on Windows write in Western Europe, unless the text reads as words
    of Cyrillic letters in cp1251. Only where cp1252 cannot read it does charset-normalizer guess: on
    a few accented names its first guess is often a Chinese or an old DOS code page."""
    cyrillic = sample.decode("cp1251", errors="replace")
    non_ascii = sum(1 for char in cyrillic if ord(char) > 127)
    in_words = sum(len(word) for word in _CYRILLIC_WORD.findall(cyrillic))
    if non_ascii and in_words / non_ascii > 0.5:
        return "cp1251"
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        candidates = [match.encoding for match in from_bytes(sample)]
        return candidates[0] if candidates else "cp1252"


def _encoding_past_the_sample(path: Path) -> str:
    """For a file that starts with plain ASCII: UTF-8, unless the first block further on that is not
    ASCII fails as UTF-8; then the Windows code page it reads in (an accented name sorted to the end
    of a customer list is the usual case)."""
    with open(path, "rb") as file:
        file.seek(SAMPLE_BYTES)
        while block := file.read(SCAN_BYTES):
            if not block.isascii():
                return "utf-8" if _decodes(block, "utf-8") else _single_byte_encoding(block)
    return "utf-8"


def _decode_sample(sample: bytes, encoding: str) -> str:
    try:
        return codecs.getincrementaldecoder(encoding)(errors="strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return sample.decode(encoding, errors="replace")


def _check_text(text: str, *, name: str) -> None:
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\r\n")
    if controls > max(8, len(text) // 100):
        raise ImportFileError("The file is not text: it looks like a binary file.", file_name=name)
