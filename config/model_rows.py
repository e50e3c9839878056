"""Model instances from rows of hand-written SQL, made as the ORM's own reading makes them.

A statement written once and run on every request (the token lookup, a REST create's INSERT
... RETURNING) skips the ORM's compiling of a queryset, which costs more CPU than the database
spends answering. Its rows still become what a queryset would hand back: each column through
the converters the ORM applies (the backend's and the field's: JSON parsed, SQLite's text
times made times), then ``Model.from_db``, so the instance is "from the database" (not adding,
its fields as loaded).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)


class ModelRows(Generic[M]):
    """Reads rows holding every concrete column of ``model``, in ``_meta.concrete_fields`` order,
    for the default database (a vendor's converters differ: take one with ``model_rows``)."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in fields]
        quote = connection.ops.quote_name
        # The columns to SELECT or RETURN, in the order the row must hold them.
        self.columns = ", ".join(f"{quote(alias)}.{quote(str(field.column))}" for field in fields)
        self.bare_columns = ", ".join(quote(str(field.column)) for field in fields)
        # Only the columns that need converting (none of most tables' on PostgreSQL).
        self._converting: list[tuple[int, list[Callable[..., Any]], Col]] = []
        for place, field in enumerate(fields):
            col = Col(alias, field)
            converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if converters:
                self._converting.append((place, converters, col))

    def __len__(self) -> int:
        return len(self.attnames)

    def make(self, row: Sequence[Any]) -> M:
        """The instance of one row (exactly the model's columns)."""
        values = list(row)
        if self._converting:
            db = connections[DEFAULT_DB_ALIAS]
            for place, converters, col in self._converting:
                for converter in converters:
                    values[place] = converter(values[place], col, db)
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, values)


_READERS: dict[tuple[type[Model], str, str], ModelRows[Any]] = {}


def model_rows(model: type[M], alias: str | None = None) -> ModelRows[M]:
    """The reader of ``model``'s rows on this connection's database, made once (``alias`` names
    the table in the statement; the table's own name by default)."""
    key = (model, alias or model._meta.db_table, connection.vendor)
    reader = _READERS.get(key)
    if reader is None:
        reader = _READERS[key] = ModelRows(model, key[1])
    return reader
