"""Cursor pagination for diary lists: stable under inserts, which a syncing phone makes constantly."""

from rest_framework.pagination import CursorPagination


class DiaryCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Newest first by the row's own time would need a per-table field; server creation
    # order is unique enough with the primary key as a tie-breaker and suits every table.
    ordering = ("-created_at", "-pk")
