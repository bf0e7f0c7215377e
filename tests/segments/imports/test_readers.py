"""Reading real bytes: encodings, delimiters, quoting, and hostile files that must fail clearly."""

import io
import json
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from segments.importing import records, textfile
from segments.importing.formats import ImportFileError, detect_format
from segments.importing.readers import MAX_FIELD_CHARS, read_chunks


def read(tmp_path, content: bytes, name: str = "data.csv", chunk_rows: int = 1000):
    path = tmp_path / name
    path.write_bytes(content)
    file_format = detect_format(path, name=name)
    chunks = list(read_chunks(path, file_format, name=name, chunk_rows=chunk_rows))
    return file_format, chunks


def refused(tmp_path, content: bytes, name: str = "data.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as raised:
        read(tmp_path, content, name)
    return raised.value


def test_utf16_with_bom_is_read(tmp_path):
    file_format, [chunk] = read(tmp_path, "name,city\nZoë,Besançon\n".encode("utf-16"))
    assert file_format.encoding == "utf-16"
    assert chunk.frame.loc[1].tolist() == ["Zoë", "Besançon"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_by_its_zero_bytes(tmp_path, encoding):
    text = "name,city\nAda,Leeds\n" + "".join(f"Wang {n},一丁七万\n" for n in range(20))
    file_format, [chunk] = read(tmp_path, text.encode(encoding))
    assert file_format.encoding == encoding
    assert chunk.frame.loc[1, "city"] == "Leeds" and chunk.frame.loc[2, "city"] == "一丁七万"


def test_cp1252_pounds_and_accents(tmp_path):
    content = "name;price;city\nRené;£12.50;Orléans\nChloé;£7;Besançon\n".encode("cp1252")
    file_format, [chunk] = read(tmp_path, content)
    assert (file_format.encoding, file_format.delimiter) == ("cp1252", ";")
    assert chunk.frame["price"].tolist() == ["£12.50", "£7"]
    assert chunk.frame.loc[1, "name"] == "René"


@pytest.mark.parametrize(
    ("encoding", "name"), [("cp1252", "Zoë Besançon"), ("utf-8", "Zoë Besançon"), ("cp1251", "Зоя Иванова")]
)
def test_accents_far_down_a_plain_file_decide_its_encoding(tmp_path, encoding, name):
    # Sorted by name, a customer list can be plain ASCII for megabytes before its first "Zoë".
    plain = "".join(f"C{n},Smith,Leeds\n" for n in range(30_000))
    content = f"id,name,city\n{plain}C30000,{name},Paris\n".encode(encoding)
    file_format, chunks = read(tmp_path, content, chunk_rows=50_000)
    assert file_format.encoding == encoding
    assert chunks[-1].frame.loc[30_001, "name"] == name


def test_utf8_bom_does_not_reach_the_header(tmp_path):
    file_format, [chunk] = read(tmp_path, b"\xef\xbb\xbfid,email\n1,a@example.com\n")
    assert file_format.encoding == "utf-8-sig"
    assert list(chunk.frame.columns) == ["id", "email"]


def test_crlf_with_quoted_newlines_keeps_row_numbers(tmp_path):
    content = b'id,text\r\n1,"first line\r\nsecond line"\r\n2,plain\r\n\r\n3,"say ""hi"""\r\n'
    _, [chunk] = read(tmp_path, content)
    assert chunk.frame.loc[1, "text"] == "first line\r\nsecond line"
    assert chunk.frame.loc[4, "text"] == 'say "hi"'
    # The blank line is skipped, but numbered as a spreadsheet would show it (its row 5 is our 4).
    assert list(chunk.frame.index) == [1, 2, 4]
    assert chunk.rows_read == 3


@pytest.mark.parametrize("start", [b"", b"sep=,\r\r\n"])
def test_lines_ended_twice_are_numbered_once(tmp_path, start):
    # What Python's CSV writer makes in text mode on Windows: every row would count twice.
    _, [chunk] = read(tmp_path, start + b"id,email\r\r\n1,a@b.com\r\r\n\r\r\n2,bad\r\r\n")
    assert list(chunk.frame.index) == [1, 3] and chunk.frame.loc[3, "email"] == "bad"


def test_tab_separated_and_chunks(tmp_path):
    content = "id\tname\n" + "".join(f"{n}\tname {n}\n" for n in range(1, 6))
    file_format, chunks = read(tmp_path, content.encode(), chunk_rows=2)
    assert file_format.delimiter == "\t"
    assert [len(chunk.frame) for chunk in chunks] == [2, 2, 1]
    assert chunks[-1].frame.index.tolist() == [5]


def test_the_first_chunks_grow_from_first_rows_to_chunk_rows(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("id\n" + "".join(f"{n}\n" for n in range(1, 31)))
    file_format = detect_format(path, name="data.csv")
    chunks = read_chunks(path, file_format, name="data.csv", chunk_rows=8, first_rows=2)
    assert [len(chunk.frame) for chunk in chunks] == [2, 4, 8, 8, 8]


def test_ragged_rows_are_rejected_with_their_row_number(tmp_path):
    _, [chunk] = read(tmp_path, b"id,name,city\n1,Ada,Leeds\n2,Bob\n3,Cy,York,extra\n4,Di,Hull\n")
    assert chunk.frame.index.tolist() == [1, 4]
    reasons = {problem.row: problem.reason for problem in chunk.problems}
    assert reasons == {
        2: "has 2 values where the header has 3 columns",
        3: "has 4 values where the header has 3 columns",
    }
    assert chunk.rows_read == 4


def test_an_unclosed_quote_names_its_row(tmp_path):
    error = refused(tmp_path, b'id,text\n1,fine\n2,"never closed\n3,more\n')
    assert error.row == 2
    assert "never closed" in str(error)


def test_nul_bytes_near_the_start_mean_a_binary_file(tmp_path):
    assert "NUL bytes" in str(refused(tmp_path, b"id,name\n1,a\x00b\n"))


def test_a_nul_byte_deep_in_the_file_rejects_only_its_row(tmp_path):
    body = "".join(f"{n},person {n}\n" for n in range(1, 30_000)).encode()
    _, chunks = read(tmp_path, b"id,name\n" + body + b"30000,bad\x00name\n")
    problems = [problem for chunk in chunks for problem in chunk.problems]
    assert [(problem.row, problem.column) for problem in problems] == [(30_000, "name")]


def test_a_png_renamed_csv_is_refused(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert "PNG image" in str(refused(tmp_path, png, "photo.csv"))


def test_random_binary_is_refused(tmp_path):
    noise = bytes((n * 7919) % 251 + 1 for n in range(4000)).replace(b"\x00", b"")
    assert "binary" in str(refused(tmp_path, noise))


def test_a_zip_bomb_renamed_xlsx_is_refused_before_unpacking(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    error = refused(tmp_path, buffer.getvalue(), "report.xlsx")
    assert "zip bomb" in str(error)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert "not an Excel workbook" in str(refused(tmp_path, buffer.getvalue(), "data.xlsx"))


def test_a_50_mb_field_is_refused_with_its_row(tmp_path):
    content = b'id,text\n1,short\n2,"' + b"x" * (50 * 1024 * 1024) + b'"\n'
    error = refused(tmp_path, content)
    assert error.row == 2 and f"{MAX_FIELD_CHARS:,}" in str(error)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"id,name\n", "header but no rows"),
        (b"id,name\r\n\r\n", "no rows"),
    ],
)
def test_empty_and_header_only_files(tmp_path, content, message):
    assert message in str(refused(tmp_path, content))


def test_xlsx_first_sheet_is_read(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["CustomerID", "Joined", "Spend"])
    sheet.append([1, "2025-03-01", 12.5])
    sheet.append([2, None, 7.0])
    sheet.append([3, None, None])
    path = tmp_path / "customers.xlsx"
    workbook.save(path)
    file_format = detect_format(path, name="customers.xlsx")
    [chunk] = list(read_chunks(path, file_format, name="customers.xlsx"))
    assert file_format.kind == "xlsx"
    assert chunk.frame.loc[1].tolist() == ["1", "2025-03-01", "12.5"]
    assert chunk.frame.loc[2].tolist() == ["2", "", "7"]
    assert chunk.frame.loc[3].tolist() == ["3", "", ""]  # empty last cells, not a short row


def test_a_formula_error_in_a_sheet_is_no_value(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["CustomerID", "City"])
    sheet.append([1, "Leeds"])
    sheet.append([2, "#N/A"])
    sheet["B3"].data_type = "e"  # a lookup that found nothing
    path = tmp_path / "customers.xlsx"
    workbook.save(path)
    [chunk] = list(read_chunks(path, detect_format(path, name="customers.xlsx"), name="customers.xlsx"))
    assert chunk.frame["City"].tolist() == ["Leeds", ""]


def _declared(path, dimension: str) -> None:
    """Rewrite the first sheet's declared size, as some writers leave it."""
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item.filename) for item in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index("<dimension ref=")
    parts["xl/worksheets/sheet1.xml"] = (
        sheet[:start] + f'<dimension ref="{dimension}"/>' + sheet[sheet.index("/>", start) + 2 :]
    ).encode()
    with zipfile.ZipFile(path, "w") as target:
        for filename, data in parts.items():
            target.writestr(filename, data)


@pytest.mark.parametrize("dimension", ["A1:B4", "A1"])
def test_xlsx_rows_and_columns_beyond_the_declared_size_are_read(tmp_path, dimension):
    workbook = Workbook()
    workbook.active.append(["CustomerID", "Spend", "Email"])
    for number in range(1, 11):
        workbook.active.append([number, number * 2, f"p{number}@example.com"])
    path = tmp_path / "customers.xlsx"
    workbook.save(path)
    _declared(path, dimension)
    [chunk] = list(read_chunks(path, detect_format(path, name="customers.xlsx"), name="customers.xlsx"))
    assert list(chunk.frame.columns) == ["CustomerID", "Spend", "Email"]
    assert len(chunk.frame) == 10 and chunk.frame.iloc[-1].tolist() == ["10", "20", "p10@example.com"]


def test_a_workbook_whose_sheet_is_damaged_is_refused_with_a_reason(tmp_path):
    workbook = Workbook()
    for number in range(300):
        workbook.active.append([number, "x" * 40])
    path = tmp_path / "customers.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item.filename) for item in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:-4000]  # cut short
    with zipfile.ZipFile(path, "w") as target:
        for filename, data in parts.items():
            target.writestr(filename, data)
    with pytest.raises(ImportFileError, match="damaged"):
        list(read_chunks(path, detect_format(path, name="customers.xlsx"), name="customers.xlsx"))


def test_json_lines_with_a_broken_line(tmp_path):
    lines = [
        json.dumps({"id": 1, "tags": ["a"], "ok": True}),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"id": 4}),
    ]
    file_format, [chunk] = read(tmp_path, ("\n".join(lines) + "\n").encode(), "events.jsonl")
    assert file_format.kind == "jsonl"
    assert chunk.frame.loc[1].tolist() == ["1", '["a"]', "true"]
    assert chunk.frame.loc[4].tolist() == ["4", "", ""]
    reasons = {problem.row: problem.reason for problem in chunk.problems}
    assert reasons[2].startswith("is not valid JSON") and reasons[3] == "is not a JSON object"


def test_json_lines_that_cannot_be_stored_are_rejected_rows_not_a_crash(tmp_path):
    lines = [
        json.dumps({"id": 1.0, "text": "fine \ud83d\ude00"}, ensure_ascii=True),  # an escaped emoji pair
        '{"id": 2, "x": ' + "[" * 1000 + "]" * 1000 + "}",
        '{"id": 3, "text": "half a pair \\ud800"}'.replace("\\\\", "\\"),
        json.dumps("Please call me"),
    ]
    _, [chunk] = read(tmp_path, ("\n".join(lines) + "\n").encode(), "events.jsonl")
    assert chunk.frame.loc[1, "id"] == "1"  # as a spreadsheet gives the customer id 1
    assert chunk.frame.loc[1, "text"] == "fine \U0001f600"
    reasons = {problem.row: problem.reason for problem in chunk.problems}
    assert reasons == {
        2: "is not valid JSON (nested too deeply)",
        3: "holds a broken character (half of an escaped UTF-16 pair)",
        4: "is not a JSON object",
    }


def test_a_header_whose_renamed_duplicate_is_taken_gets_another_name(tmp_path):
    _, [chunk] = read(tmp_path, b"a (3),a,a\n1,2,3\n")
    assert list(chunk.frame.columns) == ["a (3)", "a", "a (4)"]


def test_an_unreadable_header_after_a_blank_line_is_still_the_header(tmp_path):
    problem = refused(tmp_path, b'\n"id" ,email\n1,a@b.com\n')
    assert "The header cannot be read" in str(problem)


def test_a_broken_character_a_few_rows_down_names_about_its_row(tmp_path):
    # UTF-16 is recognised by its byte-order mark alone, so the reader is first to meet the break.
    rows = "".join(f"{n},Café {n}\n" for n in range(1, 2000)).encode("utf-16-le")
    broken = "2000,Jos".encode("utf-16-le") + b"\x00\xd8" + "\n".encode("utf-16-le")  # half a pair
    problem = refused(tmp_path, b"\xff\xfe" + "id,name\n".encode("utf-16-le") + rows + broken)
    assert "not valid utf-16 text" in str(problem)
    assert 1500 < problem.row <= 2000  # text is decoded a block ahead of the rows


def test_a_byte_that_is_not_text_on_the_first_line_names_row_1(tmp_path):
    problem = refused(tmp_path, b"\xef\xbb\xbfid,name\n1,Jos\xe9\n")
    assert problem.row == 1 and "not valid utf-8-sig text" in str(problem)


def test_a_workbook_without_a_sheet_of_cells_is_refused(tmp_path):
    buffer = io.BytesIO()
    Workbook().save(buffer)
    written, emptied = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(emptied, "w") as archive:
        for part in written.infolist():
            data = written.read(part.filename)
            if part.filename == "xl/workbook.xml":  # as a workbook of chart sheets only declares it
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data)
            archive.writestr(part, data)
    assert "no sheet of cells" in str(refused(tmp_path, emptied.getvalue(), "charts.xlsx"))


def test_json_lines_with_a_bad_byte_far_down_are_refused_with_where_it_starts(tmp_path):
    good = "".join(json.dumps({"id": n, "note": "x" * 60}) + "\n" for n in range(2, 6001)).encode()
    content = '{"id": 1, "note": "café"}\n'.encode() + good + b'{"id": 6001, "note": "caf\xe9"}\n'
    problem = refused(tmp_path, content, "events.jsonl")
    assert "not valid utf-8 text" in str(problem)
    assert 5900 < problem.row <= 6001  # the text is decoded a block ahead of the lines


def test_blank_and_repeated_headers_get_names(tmp_path):
    _, [chunk] = read(tmp_path, b",id,id\n0,1,2\n")
    assert list(chunk.frame.columns) == ["Column 1", "id", "id (3)"]


def test_control_characters_are_taken_out_of_column_names(tmp_path):
    # A JSON key may hold an escaped NUL, which PostgreSQL cannot store in the saved mapping.
    content = b'{"na\\u0000me": "Ada", "id\\u0007": "1"}\n{"na\\u0000me": "Bo", "id\\u0007": "2"}\n'
    _, [chunk] = read(tmp_path, content, "people.jsonl")
    assert list(chunk.frame.columns) == ["name", "id"]
    assert list(chunk.frame["name"]) == ["Ada", "Bo"]


@pytest.mark.parametrize("start", [b"", b"\xef\xbb\xbf"])
def test_an_excel_sep_line_names_the_delimiter_and_is_not_the_header(tmp_path, start):
    content = start + b"sep=;\r\nname;amount\r\nAda;12,50\r\nBo;3\r\n"
    file_format, [chunk] = read(tmp_path, content)
    assert file_format.delimiter == ";"
    assert list(chunk.frame.columns) == ["name", "amount"]
    assert chunk.frame.loc[1, "name"] == "Ada" and chunk.frame.loc[2, "amount"] == "3"


def test_a_stray_quote_that_would_join_rows_rejects_the_row_it_opens_in(tmp_path):
    content = b'id,name,size\n1,"TV,40\n2,Radio,10\n3,TV,55"\n4,Lamp,5\n5,"Two\nlines, fine",6\n'
    _, [chunk] = read(tmp_path, content)
    assert list(chunk.frame.index) == [2, 3]  # Lamp, and a value that really runs over two lines
    assert chunk.frame.loc[3, "name"] == "Two\nlines, fine"
    [problem] = chunk.problems
    assert problem.row == 1 and "closes 2 lines further down" in problem.reason


def test_values_over_several_lines_are_kept_in_every_batch(tmp_path):
    content = b'id,address,size\n1,"Flat 3, 12 High St\nLondon, UK",4\n' + b"".join(
        b'%d,"%d High St\nLeeds, UK",%d\n' % (n, n, n) for n in range(2, 8)
    )
    chunks = read(tmp_path, content, chunk_rows=2)[1]
    frame = pd.concat([chunk.frame for chunk in chunks])
    assert list(frame.index) == list(range(1, 8)) and not any(chunk.problems for chunk in chunks)
    assert frame.loc[1, "address"] == "Flat 3, 12 High St\nLondon, UK"


def test_a_quote_after_a_space_is_a_plain_character_and_never_fails_the_file(tmp_path):
    _, [chunk] = read(tmp_path, b'id,name,size\n1, "Bob, 55\n2,Ann,3\n')
    assert chunk.frame["size"].tolist() == [" 55", "3"] and not chunk.problems


def test_a_trailing_delimiter_is_not_a_ragged_row(tmp_path):
    _, [chunk] = read(tmp_path, b"id,name\n1,Bob,\n2,Ann,,\n3,Cy,x\n")
    assert chunk.frame["name"].tolist() == ["Bob", "Ann"]
    assert [problem.row for problem in chunk.problems] == [3]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("id,city\n1,Köln\n", "cp1252"),  # charset-normalizer's first guess was Big5
        ("name;city\nRené;Orléans\nChloé;Besançon\n", "cp1252"),  # and here Johab
        ("id,amount\n1,€12\n", "cp1252"),
        ("id,name\n1,Привет мир\n2,Ещё раз\n", "cp1251"),
    ],
)
def test_short_files_in_windows_code_pages_are_read_as_written(tmp_path, text, encoding):
    file_format, [chunk] = read(tmp_path, text.encode(encoding))
    assert file_format.encoding == encoding
    assert chunk.frame.iloc[0, 1] == text.splitlines()[1].split(file_format.delimiter)[1]


def test_a_utf8_file_with_a_byte_of_another_encoding_is_refused_at_that_row(tmp_path):
    problem = refused(tmp_path, b"id,name\n1,Zo\xc3\xab\n2,Bad\xff\n")
    assert problem.row == 2 and "mixes two encodings" in str(problem)


@pytest.mark.parametrize("name", ["wide.csv", "wide.jsonl"])
def test_a_line_too_long_to_be_a_record_is_refused_before_it_is_parsed(tmp_path, monkeypatch, name):
    # 50 million delimiters on one line took 600 MB to parse: a 2 GB upload could kill the worker.
    monkeypatch.setattr(textfile, "MAX_LINE_BYTES", 4 * 1024 * 1024)
    start = b"a,b\n1,2\n" if name.endswith(".csv") else b'{"a": 1}\n'
    problem = refused(tmp_path, start + b"," * (5 * 1024 * 1024) + b"\n", name)
    assert "A line runs over 4 MB" in str(problem)


@pytest.mark.parametrize(
    "document",
    [
        [{"id": 1, "email": "a@example.com"}, {"id": 2}, "a note", {"id": 4, "email": "d@example.com"}],
        {
            "data": [
                {"id": 1, "email": "a@example.com"},
                {"id": 2},
                "a note",
                {"id": 4, "email": "d@example.com"},
            ],
            "next": None,
        },
    ],
)
def test_a_json_document_holding_a_list_of_records_is_read(tmp_path, document):
    file_format, [chunk] = read(tmp_path, json.dumps(document, indent=2).encode(), "export.json")
    assert file_format.kind == "json"
    assert list(chunk.frame.columns) == ["id", "email"]
    assert chunk.frame.loc[1].tolist() == ["1", "a@example.com"] and chunk.frame.loc[4, "id"] == "4"
    assert [(problem.row, problem.reason) for problem in chunk.problems] == [(3, "is not a JSON object")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"id": 1},', "not valid JSON (Expecting value at line 1"),
        (b'{\n  "count": 2,\n  "ok": true\n}', "no list of records"),
        (b'{\n  "id": 1,\n  "tags": [{"a": 1}]\n}', "no list of records"),
    ],
)
def test_a_json_document_without_records_is_refused_with_a_reason(tmp_path, content, message):
    assert message in str(refused(tmp_path, content, "export.json"))


def test_a_csv_whose_headers_are_in_brackets_is_a_csv(tmp_path):
    file_format, [chunk] = read(tmp_path, b"[Customer ID],[Email]\nC1,ada@example.com\n")
    assert file_format.kind == "csv" and list(chunk.frame.columns) == ["[Customer ID]", "[Email]"]


def test_json_lines_whose_first_line_is_broken_are_still_json_lines(tmp_path):
    file_format, [chunk] = read(tmp_path, b'{"id": 1, oops\n{"id": 2}\n{"id": 3}\n', "events.jsonl")
    assert file_format.kind == "jsonl" and chunk.frame["id"].tolist() == ["2", "3"]


def test_a_json_document_too_big_to_read_whole_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "MAX_JSON_DOCUMENT_BYTES", 100)
    content = json.dumps([{"id": n} for n in range(50)]).encode()
    assert "save it as JSON lines" in str(refused(tmp_path, content, "export.json"))
