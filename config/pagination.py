"""Cursor pagination for diary lists: stable under inserts, which a syncing phone makes constantly."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from config.errors import DomainError
from config.query_params import whole_number

# The cursor's position is a primary key: a bigint.
_MAX_PK = 2**63 - 1
CURSOR_RULE = "must be a cursor from a previous page's next or previous link"


class DiaryCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Newest first by the primary key: it is unique, so the cursor is an exact position, and
    # it follows creation order (an upsert keeps its row). DRF places the cursor by the first
    # ordering field only and caps its offset among equal values at 1,000, so ordering by
    # created_at, which one sync push stamps on up to 2,000 rows, repeated rows forever.
    ordering = "-pk"

    def get_page_size(self, request: Request) -> int:
        # DRF falls back to the default on a malformed page_size; a client asking for 0 or
        # "ten" rows has a bug, and should hear of it.
        size = whole_number(request, self.page_size_query_param, minimum=1, maximum=self.max_page_size)
        return self.page_size if size is None else size

    def decode_cursor(self, request: Request) -> Cursor | None:
        # DRF answers a malformed cursor with a 404 and reads any position it decodes; a
        # position that is not a primary key would reach the database and fail there.
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor, valid = None, False
        else:
            valid = cursor is None or cursor.position is None or _is_pk(str(cursor.position))
        if not valid:
            raise DomainError(f"Invalid cursor: it {CURSOR_RULE}.", fields={self.cursor_query_param: [CURSOR_RULE]})
        return cursor

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


def _is_pk(position: str) -> bool:
    return re.fullmatch(r"[0-9]{1,19}", position, flags=re.ASCII) is not None and int(position) <= _MAX_PK
