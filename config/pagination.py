"""Cursor pagination for diary lists: stable under inserts, which a syncing phone makes constantly."""

from rest_framework.pagination import CursorPagination


class DiaryCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Newest first by the primary key: it is unique, so the cursor is an exact position, and
    # it follows creation order (an upsert keeps its row). DRF places the cursor by the first
    # ordering field only and caps its offset among equal values at 1,000, so ordering by
    # created_at, which one sync push stamps on up to 2,000 rows, repeated rows forever.
    ordering = "-pk"
