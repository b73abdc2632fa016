"""Spreadsheets built in memory for the import tests."""

import io
import re
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

SNAPSHOT_HEADERS = [
    "부서 코드",
    "회계연도",
    "세입·세출",
    "사업명",
    "기준일",
    "예산액(천원)",
    "집행액(천원)",
    "원인행위액(천원)",
    "징수액(천원)",
]
STAFFING_HEADERS = ["부서 코드", "기준일", "직종", "직급", "정원", "현원"]


def xlsx_bytes(headers, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def with_dimension(data, ref):
    """The same workbook claiming another <dimension>, as some tools write it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, found = re.subn(
                    rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), content
                )
                assert found == 1
            target.writestr(item, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def with_cached_values(data, values):
    """The workbook as Excel saves it: each formula cell in ``values`` carries its result.

    openpyxl writes formulas with an empty <v/> (it never calculates); Excel writes the
    value it calculated, and t="str" for a text result (an empty one for "").
    """

    def cached(found):
        value = values.get(found["ref"])
        if value is None:
            return found[0]
        kind = ' t="str"' if isinstance(value, str) else ""
        return f'<c r="{found["ref"]}"{kind}>{found["formula"]}<v>{value}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                pattern = r'<c r="(?P<ref>[A-Z]+[0-9]+)"\s*>(?P<formula><f>[^<]*</f>)<v\s*/>\s*</c>'
                content = re.sub(pattern, cached, content.decode()).encode()
            target.writestr(item, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def upload(data, name="figures.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
