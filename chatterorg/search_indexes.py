"""Trigram indexes that let PostgreSQL answer the search boxes' ``icontains`` from an index.

Django writes ``name__icontains="last0001"`` as ``UPPER(name::text) LIKE
UPPER('%last0001%')``: a pattern with a leading ``%`` that a B-tree can't
use, so every search read the whole table (100,000 users, twice: the count
and the page). A GIN index with ``gin_trgm_ops`` (the ``pg_trgm`` extension)
on exactly that expression answers it, and an ``OR`` over several columns
becomes a union of index scans.

They are built with ``fastupdate = off``: a GIN index otherwise keeps new
entries in a pending list that every search reads whole until a vacuum merges
it, so a search slowed with every user added since the last vacuum (3.5 ms
against 0.9 ms for the same search of 100,000 users). Users and groups are
added one at a time; each then pays its few index entries at once.

The indexes exist only on PostgreSQL: the migrations that call
``trigram_index_operations`` do nothing on SQLite, where the same queries
still work by reading the table. They are kept out of the models' state on
purpose: SQLite rebuilds a table with every index of the state when a later
migration alters it, and it has no GIN.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def _index_sql(table: str, column: str, name: str) -> str:
    return (
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
        f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops) WITH (fastupdate = off)'
    )


def trigram_index_operations(
    table: str, columns: dict[str, str], *, replaces: dict[str, str] | None = None
) -> list[Any]:
    """The migration operations for ``{index name: column}`` on ``table`` (PostgreSQL only);
    ``replaces`` names the indexes these take the place of (dropped, restored backwards)."""
    replaced = replaces or {}

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, column in columns.items():
            schema_editor.execute(_index_sql(table, column, name))
        for name in replaced:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, column in replaced.items():
            schema_editor.execute(_index_sql(table, column, name))
        for name in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return [TrigramExtension(), migrations.RunPython(forwards, backwards, elidable=False)]


def trigram_pending_list_off_operations(names: list[str]) -> list[Any]:
    """The migration operations that turn ``fastupdate`` off on trigram indexes built
    before it was (PostgreSQL only), and merge what their pending lists hold."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in names:
            schema_editor.execute(f'ALTER INDEX IF EXISTS "{name}" SET (fastupdate = off)')
            schema_editor.execute(
                "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
                "WHERE c.relname = %s AND c.relkind = 'i'",
                [name],
            )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in names:
            schema_editor.execute(f'ALTER INDEX IF EXISTS "{name}" RESET (fastupdate)')

    return [migrations.RunPython(forwards, backwards, elidable=False)]
