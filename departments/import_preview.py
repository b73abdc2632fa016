"""The preview of an import, shown a page at a time.

The preview's dry run finds every row's fate once; what it found is kept with the pending
upload (``PendingImport.preview``), so the pages of a 5,000-row file are read from there,
not by importing the file again, and never as one huge table.
"""

from django.conf import settings
from django.core.paginator import Paginator
from import_export.results import RowResult

from .imports import cell_text

KINDS = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE, RowResult.IMPORT_TYPE_SKIP)


def summary(result, confirm_initial):
    """What a preview page needs, as JSON: the columns, the totals, each valid row's cells
    (a changed cell with its stored value) and the confirm form's hidden fields."""
    headers = list(result.diff_headers)
    return {
        "headers": headers,
        "totals": {kind: result.totals[kind] for kind in KINDS},
        "confirm": {name: str(value) for name, value in confirm_initial.items()},
        "rows": [
            [
                row.number,
                row.import_type,
                [cell_text(row.cells.get(column)) for column in headers],
                row.old,
            ]
            for row in result.valid_rows()
        ],
    }


class PreviewPage:
    """One page of a stored preview, as the import template reads it."""

    def __init__(self, stored, number):
        self.headers = stored["headers"]
        self.totals = stored["totals"]
        paginator = Paginator(stored["rows"], settings.IMPORT_PREVIEW_PAGE_ROWS)
        self.page = paginator.get_page(number)
        self.rows = [
            {
                "number": number,
                "import_type": kind,
                "cells": [
                    (cell, old.get(column))
                    for column, cell in zip(self.headers, cells, strict=True)
                ],
            }
            for number, kind, cells, old in self.page.object_list
        ]

    # The library's template asks the result these before showing its preview block.
    def has_errors(self):
        return False

    def has_validation_errors(self):
        return False
