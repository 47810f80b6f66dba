"""Pages of lists that grow with the org, counted only up to a cap.

"Page 1 of 4,000" over 100,000 users costs a count of all of them on every
view of every page. Salesforce's list views show the first 2,000 records and
say "2000+ items"; org-wide lists here do the same: they count at most
``LIST_COUNT_CAP`` rows (a ``LIMIT`` inside the ``COUNT``), page through those,
and say there are more. A search narrows the list to what is wanted.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet

LIST_COUNT_CAP = 2000


class CappedPaginator(Paginator):
    """A Paginator that counts at most ``cap`` rows; ``capped`` tells whether there are more.

    ``ids_first``: for a search, which the database can only answer by finding every
    match (a trigram index), the ids of the first ``cap + 1`` rows are read once, in
    order, and serve both the count and the page (read by primary key), instead of
    finding the matches twice, once for the count and once for the page.
    """

    def __init__(
        self, object_list: Any, per_page: int, *, cap: int = LIST_COUNT_CAP, ids_first: bool = False
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.ids_first = ids_first and isinstance(object_list, QuerySet)

    @cached_property
    def _ids(self) -> list[Any]:
        matches: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        return list(matches.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def _counted(self) -> int:
        if self.ids_first:
            return len(self._ids)
        if isinstance(self.object_list, QuerySet):
            # Any cap + 1 rows tell the count: without the ORDER BY the database may take
            # them from whichever index is cheapest, instead of sorting first.
            return self.object_list.order_by()[: self.cap + 1].count()
        return len(self.object_list[: self.cap + 1])

    def page(self, number: Any) -> Page:
        if not self.ids_first:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self._ids[bottom : bottom + self.per_page]
        matches: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        rows = {row.pk: row for row in matches.filter(pk__in=ids).order_by()}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap


def counts_capped(
    querysets: Sequence[QuerySet[Any]], *, cap: int = LIST_COUNT_CAP
) -> list[tuple[int, bool]]:
    """How many rows each queryset has, counting at most ``cap`` (a ``LIMIT`` inside each
    ``COUNT``), and whether it has more: ``(2000, True)`` reads "2000+". All in one query,
    so a page that shows several counts makes one round trip to the database for them
    (``SELECT (SELECT COUNT(*) FROM (… LIMIT cap + 1)), (…)``)."""
    if not querysets:
        return []
    parts: list[str] = []
    params: list[Any] = []
    for n, queryset in enumerate(querysets):
        sql, part_params = queryset.order_by()[: cap + 1].query.sql_with_params()
        # The ORM's own SQL of each queryset; every value stays a parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped_{n})")  # noqa: S608
        params.extend(part_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return [(min(int(counted), cap), int(counted) > cap) for counted in row]


def page_get(
    object_list: Any,
    number: int | str | None,
    per_page: int,
    *,
    cap: int | None = LIST_COUNT_CAP,
    search: bool = False,
) -> Page:
    """The page ``number`` of ``object_list``; a missing or bad number gives the nearest page.

    ``cap=None`` counts every row, for lists whose exact size is shown (a group's members).
    ``search``: the list is a search's matches (``CappedPaginator``'s ``ids_first``).
    """
    if cap is None:
        return Paginator(object_list, per_page).get_page(number)
    return CappedPaginator(object_list, per_page, cap=cap, ids_first=search).get_page(number)
