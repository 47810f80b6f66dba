"""A parsed SOQL query compiled to Django ORM querysets, for one viewer.

Every object's rows start from the same selectors the sObject endpoints use
(``SObject.visible``), so a query sees exactly what its user sees in the UI.
Filters become ORM lookups on expressions (never SQL text), relationship fields
become joins (or a correlated subquery for a group's owner), child subqueries one
extra query per page, and aggregates SQL aggregates: the number of queries does
not grow with the number of rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import reduce
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Avg, Count, F, Max, Min, Model, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Lower, Upper
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IEndsWith,
    IExact,
    In,
    IRegex,
    IsNull,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
)

from accounts.models import User
from api.ids import MalformedId, sf_id, sf_id_parse
from api.sobjects import sf_datetime
from api.soql.dates import date_literal_range
from api.soql.errors import Position, SoqlError, located
from api.soql.nodes import (
    Aggregate,
    AggregateItem,
    ChildItem,
    Compare,
    Condition,
    FieldItem,
    InValues,
    Junction,
    Literal,
    Name,
    Not,
    Query,
    SemiJoin,
)
from api.soql.parser import parse, string_decode
from api.soql.schema import Column, Entity, Parent, entity_named

MAX_OFFSET = 2000
AGGREGATE_ROW_LIMIT = 2000
TEXT_TYPES = ("string", "textarea", "email", "picklist")
ID_TYPES = ("id", "reference")
# A primary key no row has: an ID of another object matches nothing.
NO_ROW = -1
_ORDERING = {"<": LessThan, "<=": LessThanOrEqual, ">": GreaterThan, ">=": GreaterThanOrEqual}
_AGGREGATES: dict[str, Callable[..., Any]] = {
    "COUNT": Count,
    "COUNT_DISTINCT": lambda e: Count(e, distinct=True),
    "MIN": Min,
    "MAX": Max,
    "SUM": Sum,
    "AVG": Avg,
}


@dataclass
class Resolved:
    """A field path resolved on an object: its column, expression and output keys."""

    column: Column
    expr: Any
    owner: Entity  # the object the field belongs to (for formatting an Id)
    keys: list[str]  # canonical names: ["Owner", "Name"]
    hops: list[Parent]


@dataclass
class _Selected:
    alias: str
    resolved: Resolved


@dataclass
class _ChildPlan:
    key: str
    entity: Entity
    parent_alias: str
    parent_expr: Any
    queryset: QuerySet[Any]
    selected: list[_Selected]
    relations: dict[tuple[str, ...], tuple[str, str]]
    limit: int | None


def _value_out(resolved: Resolved, value: Any) -> Any:
    column = resolved.column
    if column.convert is not None:
        value = column.convert(value)
    if value is None:
        return None
    kind = column.meta.type
    if kind == "id":
        return sf_id(resolved.owner.name, value)
    if kind == "reference":
        return sf_id(column.meta.reference_to, value)
    if kind == "datetime" and isinstance(value, datetime):
        return sf_datetime(value)
    if kind == "boolean":
        return bool(value)
    if kind == "int":
        return int(value)
    return value


def _never_null(model: type[Model], resolved: Resolved) -> bool:
    """Whether ``resolved`` is a column of the row itself that the database holds NOT NULL."""
    name = str(getattr(resolved.expr, "name", "")) if isinstance(resolved.expr, F) else ""
    if resolved.hops or not name or "__" in name:
        return False
    try:
        return not model._meta.get_field(name).null
    except FieldDoesNotExist:
        return False


def _like_tokens(raw: str) -> list[str]:
    text = string_decode(raw, keep_like_escapes=True)
    return re.findall(r"\\[%_\\]|%|_|[^%_\\]+|\\", text)


def like_longest_literal(raw: str) -> str:
    """The longest run of literal text a LIKE pattern requires (escapes resolved)."""
    runs, run = [], ""
    for token in _like_tokens(raw):
        if token in ("%", "_"):
            runs.append(run)
            run = ""
        else:
            run += token[1:] if token.startswith("\\") and len(token) == 2 else token
    runs.append(run)
    return max(runs, key=len)


def like_lookup(expr: Any, raw: str) -> Any:
    """SOQL's LIKE (``%`` any run, ``_`` one character, ``\\%``/``\\_`` literal),
    case-insensitive as Salesforce's: a plain i-lookup where the pattern allows, else
    an anchored case-insensitive regular expression."""
    tokens = _like_tokens(raw)
    plain = [t for t in tokens if t not in ("%", "_")]
    if "_" not in tokens and "%" not in tokens[1:-1]:
        core = "".join(t[1:] if t.startswith("\\") and len(t) == 2 else t for t in plain)
        starts, ends = tokens[:1] == ["%"], tokens[-1:] == ["%"]
        if starts and ends:
            return IContains(expr, core)
        if starts:
            return IEndsWith(expr, core)
        if ends:
            return IStartsWith(expr, core)
        return IExact(expr, core)
    pattern = ""
    for token in tokens:
        if token == "%":
            pattern += r"[\s\S]*"
        elif token == "_":
            pattern += r"[\s\S]"
        elif token.startswith("\\") and len(token) == 2:
            pattern += re.escape(token[1])
        else:
            pattern += re.escape(token)
    return IRegex(expr, f"^{pattern}$")


class Compiler:
    """Compiles one query text for one viewer."""

    def __init__(self, text: str, viewer: User) -> None:
        self.text = text
        self.viewer = viewer
        self._aliases = 0

    # --- errors ---------------------------------------------------------------------------

    def error(self, code: str, at: Position, message: str) -> SoqlError:
        return SoqlError(code, located(self.text, at.line, at.column, message))

    def alias(self) -> str:
        self._aliases += 1
        return f"soql_{self._aliases}"

    # --- names ----------------------------------------------------------------------------

    def entity(self, name: Name) -> Entity:
        found = entity_named(name.text)
        if found is None:
            raise self.error(
                "INVALID_TYPE",
                name.at,
                f"sObject type '{name.text}' is not supported. If you are attempting to use a "
                "custom object, be sure to append the '__c' after the entity name. Please "
                "reference your WSDL or the describe call for the appropriate names.",
            )
        found.sobject.check_access(self.viewer)
        return found

    def resolve(self, entity: Entity, name: Name) -> Resolved:
        parts = name.parts
        current, hops, keys = entity, [], []
        for part in parts[:-1]:
            parent = current.parents.get(part.lower())
            if parent is None:
                raise self.error(
                    "INVALID_FIELD",
                    name.at,
                    f"Didn't understand relationship '{part}' in field path. If you are "
                    "attempting to use a custom relationship, be sure to append the '__r' "
                    "after the custom relationship name. Please reference your WSDL or the "
                    "describe call for the appropriate names.",
                )
            target = entity_named(parent.target)
            assert target is not None
            target.sobject.check_access(self.viewer)
            hops.append(parent)
            keys.append(parent.name)
            current = target
        column = current.columns.get(parts[-1].lower())
        if column is None:
            raise self.error(
                "INVALID_FIELD",
                name.at,
                f"No such column '{parts[-1]}' on entity '{current.name}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the "
                "custom field name. Please reference your WSDL or the describe call for the "
                "appropriate names.",
            )
        keys.append(column.meta.name)
        return Resolved(column, self._expr(hops, column, ""), current, keys, hops)

    def _expr(self, hops: list[Parent], column: Column, prefix: str) -> Any:
        if not hops:
            return column.expr(prefix)
        hop, rest = hops[0], hops[1:]
        if hop.via is None:
            return self._expr(rest, column, prefix + hop.path)
        inner = self._expr(rest, column, hop.via_path)
        return Subquery(hop.via(prefix).annotate(soql_v=inner).values("soql_v")[:1])

    def relation_id(self, entity: Entity, hops: list[Parent]) -> Any:
        target = entity_named(hops[-1].target)
        assert target is not None
        return self._expr(hops, target.columns["id"], "")

    # --- WHERE ----------------------------------------------------------------------------

    def condition(self, entity: Entity, node: Condition) -> Q:
        if isinstance(node, Junction):
            parts = [self.condition(entity, c) for c in node.conditions]
            return reduce(
                (lambda a, b: a & b) if node.operator == "AND" else (lambda a, b: a | b), parts
            )
        if isinstance(node, Not):
            return ~self.condition(entity, node.condition)
        if isinstance(node, Compare):
            return self.compare(entity, node)
        if isinstance(node, InValues):
            return self.in_values(entity, node)
        return self.semi_join(entity, node)

    def filterable(self, entity: Entity, name: Name) -> Resolved:
        resolved = self.resolve(entity, name)
        if not resolved.column.filterable:
            raise self.error(
                "INVALID_FIELD",
                name.at,
                f"field '{resolved.column.meta.name}' can not be filtered in a query call",
            )
        return resolved

    def _type_error(self, resolved: Resolved, literal: Literal) -> SoqlError:
        kind = resolved.column.meta.type
        api_type = {
            "boolean": "boolean",
            "int": "double",
            "datetime": "dateTime",
            "id": "id",
            "reference": "id",
        }.get(kind, "string")
        quoted = kind in (*TEXT_TYPES, *ID_TYPES)
        return self.error(
            "INVALID_FIELD",
            literal.at,
            f"value of filter criterion for field '{resolved.column.meta.name}' must be of type "
            f"{api_type} and should {'' if quoted else 'not '}be enclosed in quotes",
        )

    def value(self, resolved: Resolved, literal: Literal) -> Any:
        """The literal as the column's database value (``_type_error`` if it is not one)."""
        kind = resolved.column.meta.type
        if kind in ID_TYPES:
            if literal.kind != "string":
                raise self._type_error(resolved, literal)
            target = resolved.owner.name if kind == "id" else resolved.column.meta.reference_to
            try:
                name, pk = sf_id_parse(str(literal.value))
            except MalformedId:
                raise self.error(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    literal.at,
                    f"invalid ID field: {literal.value}",
                ) from None
            return pk if name == target else NO_ROW
        if kind == "boolean":
            if literal.kind != "boolean":
                raise self._type_error(resolved, literal)
            return literal.value
        if kind == "int":
            if literal.kind != "number":
                raise self._type_error(resolved, literal)
            number = literal.value
            assert isinstance(number, Decimal)
            return int(number) if number == number.to_integral_value() else number
        if kind == "datetime":
            if literal.kind not in ("datetime", "date_literal"):
                raise self._type_error(resolved, literal)
            if literal.kind == "date_literal":
                return date_literal_range(str(literal.value), literal.n)
            return literal.value
        if literal.kind != "string":
            raise self._type_error(resolved, literal)
        return literal.value

    def _null(self, resolved: Resolved) -> Q:
        # Salesforce has no empty text: '' reads as null.
        q = Q(IsNull(resolved.expr, True))
        if resolved.column.meta.type in TEXT_TYPES:
            q |= Q(Exact(resolved.expr, ""))
        return q

    def compare(self, entity: Entity, node: Compare) -> Q:
        resolved = self.filterable(entity, node.name)
        expr, kind, literal = resolved.expr, resolved.column.meta.type, node.value
        if node.operator == "LIKE":
            if kind not in TEXT_TYPES:
                raise self.error(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    node.name.at,
                    f"invalid operator on {'id' if kind in ID_TYPES else kind} field",
                )
            if literal.kind != "string":
                raise self._type_error(resolved, literal)
            like = Q(like_lookup(expr, literal.raw))
            contained_in = resolved.column.contained_in
            # Three characters make a trigram: the stored column's index narrows the rows.
            if contained_in and not resolved.hops:
                needed = like_longest_literal(literal.raw)
                if len(needed) >= 3:
                    like &= Q(**{f"{contained_in}__icontains": needed})
            return like
        if literal.kind == "null":
            if node.operator == "=":
                return self._null(resolved)
            if node.operator == "!=":
                return ~self._null(resolved)
            raise self.error(
                "INVALID_QUERY_FILTER_OPERATOR", literal.at, "invalid operator on null value"
            )
        value = self.value(resolved, literal)
        if isinstance(value, tuple):  # a date literal's [start, end)
            start, end = value
            spans = {
                "=": Q(GreaterThanOrEqual(expr, start)) & Q(LessThan(expr, end)),
                "<": Q(LessThan(expr, start)),
                "<=": Q(LessThan(expr, end)),
                ">": Q(GreaterThanOrEqual(expr, end)),
                ">=": Q(GreaterThanOrEqual(expr, start)),
            }
            if node.operator == "!=":
                return ~spans["="] | Q(IsNull(expr, True))
            return spans[node.operator]
        if kind == "boolean" and node.operator not in ("=", "!="):
            raise self.error(
                "INVALID_QUERY_FILTER_OPERATOR", node.name.at, "invalid operator on boolean field"
            )
        if kind in TEXT_TYPES:
            # Salesforce compares text case-insensitively.
            expr, value = Upper(expr), str(value).upper()
        equal = Q(Exact(expr, value))
        if node.operator == "=":
            return equal
        if node.operator == "!=":
            return ~equal | Q(IsNull(expr, True))
        return Q(_ORDERING[node.operator](expr, value))

    def in_values(self, entity: Entity, node: InValues) -> Q:
        resolved = self.filterable(entity, node.name)
        if node.multipicklist:
            raise self.error(
                "INVALID_QUERY_FILTER_OPERATOR",
                node.name.at,
                "includes or excludes operator only valid on multipicklist field",
            )
        expr, kind = resolved.expr, resolved.column.meta.type
        values, has_null = [], False
        for literal in node.values:
            if literal.kind == "null":
                has_null = True
                continue
            if literal.kind == "date_literal":
                raise self._type_error(resolved, literal)
            values.append(self.value(resolved, literal))
        if kind in TEXT_TYPES:
            q = Q(In(Upper(expr), [str(v).upper() for v in values])) if values else Q(pk__in=[])
        else:
            q = Q(In(expr, values)) if values else Q(pk__in=[])
        if has_null:
            q |= self._null(resolved)
        if node.negated:
            return ~q if has_null else ~q | Q(IsNull(expr, True))
        return q

    def semi_join(self, entity: Entity, node: SemiJoin) -> Q:
        outer = self.filterable(entity, node.name)
        inner_entity = self.entity(node.query.source)
        item = node.query.select[0]
        assert isinstance(item, FieldItem)
        inner = self.filterable(inner_entity, item.name)
        targets = []
        for resolved in (outer, inner):
            meta = resolved.column.meta
            if meta.type not in ID_TYPES:
                raise self.error(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    node.name.at if resolved is outer else item.name.at,
                    "The selected field in a semi join subquery and the field it is compared "
                    "with must be Id or reference fields",
                )
            targets.append(resolved.owner.name if meta.type == "id" else meta.reference_to)
        if targets[0] != targets[1]:
            raise self.error(
                "INVALID_QUERY_FILTER_OPERATOR",
                item.name.at,
                f"The selected field '{inner.column.meta.name}' in the subquery and the left "
                "operand field in the where expression in the outer query "
                f"'{outer.column.meta.name}' should point to the same object type",
            )
        rows = inner_entity.sobject.visible(self.viewer)
        if node.query.where is not None:
            rows = rows.filter(self.condition(inner_entity, node.query.where))
        # No ORDER BY inside IN (a model's default one would sort every inner row).
        subquery = rows.filter(IsNull(inner.expr, False)).order_by().values(soql_v=inner.expr)
        q = Q(In(outer.expr, subquery))
        return ~q if node.negated else q

    # --- ORDER BY -------------------------------------------------------------------------

    def ordering(
        self,
        entity: Entity,
        query: Query,
        aggregates: dict[Aggregate, str],
        model: type[Model] | None = None,
    ) -> list[Any]:
        """ORDER BY as the ORM's order; with the ``model`` of the rows, a column the
        database holds NOT NULL is ordered without NULLS FIRST/LAST (no row has one), so
        an index on it can serve the order."""
        order: list[Any] = []
        for item in query.order_by:
            never_null = False
            if isinstance(item.target, Aggregate):
                alias = aggregates.get(item.target)
                expr = self.aggregate_expr(entity, item.target) if alias is None else F(alias)
            else:
                resolved = self.resolve(entity, item.target)
                expr = resolved.expr
                never_null = model is not None and _never_null(model, resolved)
                if resolved.column.meta.type in TEXT_TYPES:
                    expr = Lower(expr)  # Salesforce sorts text case-insensitively
            nulls_first = item.nulls_first if item.nulls_first is not None else not item.descending
            nulls = (
                {} if never_null else {"nulls_first": True} if nulls_first else {"nulls_last": True}
            )
            order.append(expr.desc(**nulls) if item.descending else expr.asc(**nulls))
        return order

    def rows_ordering(self, entity: Entity, query: Query, model: type[Model]) -> list[Any]:
        """The order of a query's rows: its ORDER BY, then the primary key (rows that tie
        come in a stable order page after page), in the direction of the last ORDER BY
        item, so that ``ORDER BY CreatedDate DESC`` reads an index on (created, id) DESC."""
        last_descending = bool(query.order_by) and query.order_by[-1].descending
        return [*self.ordering(entity, query, {}, model), "-pk" if last_descending else "pk"]

    def aggregate_expr(self, entity: Entity, aggregate: Aggregate) -> Any:
        if aggregate.argument is None:
            if aggregate.function != "COUNT":
                raise self.error(
                    "MALFORMED_QUERY", aggregate.at, f"{aggregate.function}() needs a field"
                )
            return Count("pk")
        resolved = self.resolve(entity, aggregate.argument)
        kind = resolved.column.meta.type
        if aggregate.function in ("SUM", "AVG") and kind != "int":
            raise self.error(
                "INVALID_FIELD",
                aggregate.argument.at,
                f"field {resolved.column.meta.name} does not support aggregate operator "
                f"{aggregate.function}",
            )
        return _AGGREGATES[aggregate.function](resolved.expr)

    # --- the whole query ------------------------------------------------------------------

    def select_fields(
        self, entity: Entity, items: list[FieldItem]
    ) -> tuple[list[_Selected], dict[tuple[str, ...], tuple[str, str]], dict[str, Any]]:
        selected: list[_Selected] = []
        relations: dict[tuple[str, ...], tuple[str, str]] = {}
        values: dict[str, Any] = {}
        seen: set[str] = set()
        for item in items:
            resolved = self.resolve(entity, item.name)
            key = ".".join(resolved.keys).lower()
            if key in seen:
                raise self.error(
                    "MALFORMED_QUERY", item.name.at, f"duplicate field selected: {item.name.text}"
                )
            seen.add(key)
            alias = self.alias()
            values[alias] = resolved.expr
            selected.append(_Selected(alias, resolved))
            for depth in range(1, len(resolved.hops) + 1):
                path = tuple(resolved.keys[:depth])
                if path not in relations:
                    id_alias = self.alias()
                    values[id_alias] = self.relation_id(entity, resolved.hops[:depth])
                    relations[path] = (id_alias, resolved.hops[depth - 1].target)
        return selected, relations, values

    def compile(self, query: Query) -> Plan:
        entity = self.entity(query.source)
        if query.offset is not None and query.offset > MAX_OFFSET:
            raise self.error(
                "NUMBER_OUTSIDE_VALID_RANGE",
                query.source.at,
                f"Maximum SOQL offset allowed is {MAX_OFFSET}",
            )
        rows = entity.sobject.visible(self.viewer)
        if query.where is not None:
            rows = rows.filter(self.condition(entity, query.where))
        fields = [i for i in query.select if isinstance(i, FieldItem)]
        aggregates = [i for i in query.select if isinstance(i, AggregateItem)]
        children = [i for i in query.select if isinstance(i, ChildItem)]
        if aggregates or query.group_by:
            if children:
                raise self.error(
                    "MALFORMED_QUERY",
                    children[0].query.source.at,
                    "Aggregate queries cannot have child relationship subqueries",
                )
            if (
                len(query.select) == 1
                and aggregates
                and aggregates[0].aggregate.argument is None
                and aggregates[0].alias is None
                and not query.group_by
            ):
                if aggregates[0].aggregate.function != "COUNT":
                    raise self.error(
                        "MALFORMED_QUERY",
                        aggregates[0].aggregate.at,
                        f"{aggregates[0].aggregate.function}() needs a field",
                    )
                return CountPlan(entity, rows, query.limit, query.offset)
            return self.aggregate_plan(entity, rows, query, fields, aggregates)
        if not fields and not children:
            raise self.error("MALFORMED_QUERY", query.source.at, "unexpected token: 'FROM'")
        selected, relations, values = self.select_fields(entity, fields)
        values["soql_pk"] = entity.columns["id"].expr("")
        rows = rows.order_by(*self.rows_ordering(entity, query, rows.model)).values(**values)
        return RowsPlan(
            entity=entity,
            queryset=rows,
            selected=selected,
            relations=relations,
            children=[self.child_plan(entity, c.query) for c in children],
            limit=query.limit,
            offset=query.offset or 0,
        )

    def child_plan(self, parent: Entity, query: Query) -> _ChildPlan:
        relationship = parent.children.get(query.source.text.lower())
        if relationship is None:
            raise self.error(
                "INVALID_TYPE",
                query.source.at,
                f"Didn't understand relationship '{query.source.text}' in FROM part of query "
                "call. If you are attempting to use a custom relationship, be sure to append the "
                "'__r' after the custom relationship name. Please reference your WSDL or the "
                "describe call for the appropriate names.",
            )
        entity = entity_named(relationship.target)
        assert entity is not None
        entity.sobject.check_access(self.viewer)
        items = []
        for item in query.select:
            if not isinstance(item, FieldItem):
                raise self.error(
                    "MALFORMED_QUERY",
                    query.source.at,
                    "Nesting of child relationship subqueries or aggregates is not supported",
                )
            items.append(item)
        rows = entity.sobject.visible(self.viewer)
        if query.where is not None:
            rows = rows.filter(self.condition(entity, query.where))
        selected, relations, values = self.select_fields(entity, items)
        parent_alias = self.alias()
        parent_expr = entity.columns[relationship.parent_field.lower()].expr("")
        values[parent_alias] = parent_expr
        values["soql_pk"] = entity.columns["id"].expr("")
        order = self.rows_ordering(entity, query, rows.model)
        return _ChildPlan(
            key=relationship.name,
            entity=entity,
            parent_alias=parent_alias,
            parent_expr=parent_expr,
            queryset=rows.order_by(*order).values(**values),
            selected=selected,
            relations=relations,
            limit=query.limit,
        )

    def aggregate_plan(
        self,
        entity: Entity,
        rows: QuerySet[Any],
        query: Query,
        fields: list[FieldItem],
        aggregates: list[AggregateItem],
    ) -> AggregatePlan:
        grouped = {self.resolve(entity, name).keys.__repr__(): name for name in query.group_by}
        groups: dict[str, Any] = {}
        outputs: list[tuple[str, str, Resolved | None]] = []  # (key, alias, resolved)
        for item in fields:
            resolved = self.resolve(entity, item.name)
            if repr(resolved.keys) not in grouped:
                raise self.error(
                    "MALFORMED_QUERY",
                    item.name.at,
                    f"Field must be grouped or aggregated: {resolved.column.meta.name}",
                )
            alias = self.alias()
            groups[alias] = resolved.expr
            outputs.append((resolved.keys[-1], alias, resolved))
        for name in query.group_by:
            resolved = self.resolve(entity, name)
            if resolved.expr not in groups.values():
                groups[self.alias()] = resolved.expr
        annotations: dict[str, Any] = {}
        by_aggregate: dict[Aggregate, str] = {}
        unnamed = 0
        for agg_item in aggregates:
            alias = self.alias()
            annotations[alias] = self.aggregate_expr(entity, agg_item.aggregate)
            by_aggregate[agg_item.aggregate] = alias
            argument = agg_item.aggregate.argument
            # MIN and MAX answer in the field's type (an ID, a dateTime); counts are numbers.
            shown: Resolved | None = None
            if argument is not None and agg_item.aggregate.function in ("MIN", "MAX"):
                shown = self.resolve(entity, argument)
            if agg_item.alias is not None:
                key = agg_item.alias.text
            else:
                key, unnamed = f"expr{unnamed}", unnamed + 1
            outputs.append((key, alias, shown))
        order = self.ordering(entity, query, by_aggregate)
        if groups:
            result = rows.order_by().values(**groups).annotate(**annotations).order_by(*order)
            return AggregatePlan(outputs, result, None, query.limit, query.offset or 0)
        return AggregatePlan(
            outputs, None, rows.order_by(), query.limit, query.offset or 0, annotations
        )


def _place(
    record: dict[str, Any],
    keys: list[str],
    value: Any,
    row: dict[str, Any],
    relations: dict[tuple[str, ...], tuple[str, str]],
    url: Callable[[str, str | None], str],
) -> None:
    target = record
    for depth in range(1, len(keys)):
        path = tuple(keys[:depth])
        id_alias, object_name = relations[path]
        related_pk = row[id_alias]
        name = keys[depth - 1]
        if related_pk is None:
            target[name] = None
            return
        if target.get(name) is None:
            related_id = sf_id(object_name, related_pk)
            target[name] = {
                "attributes": {"type": object_name, "url": url(object_name, related_id)}
            }
        target = target[name]
    target[keys[-1]] = value


@dataclass
class Plan:
    """A compiled query: how many rows it answers and one page of its records."""

    # Whether its records come page by page (COUNT() answers a total and no records).
    paged = True

    def total(self) -> int:
        raise NotImplementedError

    def answered_by(self, start: int, returned: int) -> bool:
        """Whether ``returned`` rows from ``start`` are known to be all the rows (the
        query's LIMIT is reached), so that no count is needed."""
        return False

    def page(
        self, start: int, size: int, url: Callable[[str, str | None], str]
    ) -> list[dict[str, Any]]:
        raise NotImplementedError


def _window_count(queryset: QuerySet[Any], limit: int | None, offset: int) -> int:
    """How many rows the query answers after OFFSET, at most LIMIT.

    With a LIMIT the count reads no more than OFFSET + LIMIT rows (a count over the
    sliced query), so ``LIMIT 200`` costs the same in an org of any size.
    """
    if limit is None:
        return max(queryset.count() - offset, 0)
    return queryset[offset : offset + limit].count()


@dataclass
class CountPlan(Plan):
    paged = False
    entity: Entity
    queryset: QuerySet[Any]
    limit: int | None
    offset: int | None

    def total(self) -> int:
        return _window_count(self.queryset, self.limit, self.offset or 0)

    def page(
        self, start: int, size: int, url: Callable[[str, str | None], str]
    ) -> list[dict[str, Any]]:
        return []


@dataclass
class RowsPlan(Plan):
    entity: Entity
    queryset: QuerySet[Any]
    selected: list[_Selected]
    relations: dict[tuple[str, ...], tuple[str, str]]
    children: list[_ChildPlan]
    limit: int | None
    offset: int

    def total(self) -> int:
        return _window_count(self.queryset, self.limit, self.offset)

    def answered_by(self, start: int, returned: int) -> bool:
        return self.limit is not None and start + returned >= self.limit

    def page(
        self, start: int, size: int, url: Callable[[str, str | None], str]
    ) -> list[dict[str, Any]]:
        first = self.offset + start
        last = first + size
        if self.limit is not None:
            last = min(last, self.offset + self.limit)
        if last <= first:
            return []
        rows = list(self.queryset[first:last])
        records = [
            self.record(self.entity, row, self.selected, self.relations, url) for row in rows
        ]
        if rows:
            pks = [row["soql_pk"] for row in rows]
            for child in self.children:
                by_parent: dict[Any, list[dict[str, Any]]] = defaultdict(list)
                for child_row in child.queryset.filter(
                    In(child.queryset.query.annotations[child.parent_alias], pks)
                ):
                    by_parent[child_row[child.parent_alias]].append(child_row)
                for row, record in zip(rows, records, strict=True):
                    found = by_parent.get(row["soql_pk"], [])
                    if child.limit is not None:
                        found = found[: child.limit]
                    record[child.key] = (
                        {
                            "totalSize": len(found),
                            "done": True,
                            "records": [
                                self.record(child.entity, r, child.selected, child.relations, url)
                                for r in found
                            ],
                        }
                        if found
                        else None
                    )
        return records

    @staticmethod
    def record(
        entity: Entity,
        row: dict[str, Any],
        selected: list[_Selected],
        relations: dict[tuple[str, ...], tuple[str, str]],
        url: Callable[[str, str | None], str],
    ) -> dict[str, Any]:
        record_id = sf_id(entity.name, row["soql_pk"])
        record: dict[str, Any] = {
            "attributes": {"type": entity.name, "url": url(entity.name, record_id)}
        }
        for item in selected:
            value = _value_out(item.resolved, row[item.alias])
            _place(record, item.resolved.keys, value, row, relations, url)
        return record


@dataclass
class AggregatePlan(Plan):
    outputs: list[tuple[str, str, Resolved | None]]
    grouped: QuerySet[Any] | None
    ungrouped: QuerySet[Any] | None
    limit: int | None
    offset: int
    annotations: dict[str, Any] = field(default_factory=dict)
    _rows: list[dict[str, Any]] | None = None

    def rows(self) -> list[dict[str, Any]]:
        if self._rows is None:
            if self.grouped is not None:
                stop = self.offset + (
                    self.limit if self.limit is not None else AGGREGATE_ROW_LIMIT + 1
                )
                found = list(self.grouped[self.offset : stop])
            else:
                assert self.ungrouped is not None
                found = [self.ungrouped.aggregate(**self.annotations)][self.offset :]
                if self.limit is not None:
                    found = found[: self.limit]
            if len(found) > AGGREGATE_ROW_LIMIT:
                raise SoqlError(
                    "MALFORMED_QUERY",
                    "Aggregate query does not support queryMore(), use LIMIT to restrict the "
                    "results to a single batch",
                )
            self._rows = found
        return self._rows

    def total(self) -> int:
        return len(self.rows())

    def page(
        self, start: int, size: int, url: Callable[[str, str | None], str]
    ) -> list[dict[str, Any]]:
        records = []
        for row in self.rows()[start : start + size]:
            record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
            for key, alias, resolved in self.outputs:
                value = row[alias]
                record[key] = _value_out(resolved, value) if resolved is not None else value
            records.append(record)
        return records


def soql_compile(text: str, *, viewer: User) -> Plan:
    """The plan of the query ``text`` as ``viewer`` may see it (``SoqlError`` if refused)."""
    return Compiler(text, viewer).compile(parse(text))
