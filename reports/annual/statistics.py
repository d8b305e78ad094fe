"""Figures beyond counts: means, continuous percentiles, days between two dates.

PostgreSQL computes the percentiles itself (``percentile_cont``). The embedded
default, SQLite, has no such function: there they are computed from the
values, read in order, with PostgreSQL's arithmetic, so both give the same
number.
"""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import groupby
from math import ceil, floor
from typing import Any

from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
)


def mean(total: int | None, count: int) -> float | None:
    """``total / count`` with one decimal, half up, counted in integers."""
    if not count or total is None:
        return None
    tenths, remainder = divmod(total * 10, count)
    if 2 * remainder >= count:
        tenths += 1
    return float(Decimal(tenths) / 10)


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont`` over values sorted in ascending order.

    The same arithmetic as PostgreSQL (``orderedsetaggs.c``), in the same
    floating-point steps, so both give the same number to the last bit.
    """
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    first, second = floor(position), ceil(position)
    low = float(ordered[first])
    if first == second:
        return low
    high = float(ordered[second])
    return low + (high - low) * (position - first)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(fraction)``; nulls are ignored."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Expression | str, fraction: float, **extra: Any) -> None:
        # The fraction is one of our constants, never input: it goes into the SQL as a number.
        super().__init__(expression, fraction=float(fraction), **extra)


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (two dates)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"  # PostgreSQL: date − date is a number of days
    output_field = IntegerField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


Percentiles = dict[str, tuple[int, list[float | None]]]


def percentiles(
    queryset: QuerySet,
    *,
    values: Mapping[str, str | Expression],
    fractions: Sequence[float],
    group: str | Expression | None = None,
) -> dict[Any, Percentiles]:
    """Per group (the key None when ``group`` is None): for each named value, how many
    rows have one and its continuous percentiles (``percentile_cont``), nulls left out.

    PostgreSQL computes them itself in one grouped query. The embedded default,
    SQLite, has no percentile function: there they are computed from the values,
    read in order with one query per value.
    """
    if connections[queryset.db].vendor == "postgresql":
        return percentiles_in_database(queryset, values=values, fractions=fractions, group=group)
    return percentiles_from_values(queryset, values=values, fractions=fractions, group=group)


def _expression(value: str | Expression) -> Expression:
    return F(value) if isinstance(value, str) else value


def percentiles_in_database(
    queryset: QuerySet,
    *,
    values: Mapping[str, str | Expression],
    fractions: Sequence[float],
    group: str | Expression | None = None,
) -> dict[Any, Percentiles]:
    """``percentiles`` with PostgreSQL's ``percentile_cont``: one (grouped) query."""
    aggregates: dict[str, Aggregate] = {}
    for name, value in values.items():
        aggregates[f"{name}__n"] = Count(_expression(value))
        for index, fraction in enumerate(fractions):
            aggregates[f"{name}__{index}"] = PercentileCont(_expression(value), fraction)
    base = queryset.order_by()
    if group is None:
        rows = [{"percentile_group": None, **base.aggregate(**aggregates)}]
    else:
        rows = list(
            base.annotate(percentile_group=_expression(group))
            .values("percentile_group")
            .annotate(**aggregates)
        )
    # A group without a single value is left out, as the values leave it out below.
    return {
        row["percentile_group"]: {
            name: (row[f"{name}__n"], [row[f"{name}__{i}"] for i in range(len(fractions))])
            for name in values
        }
        for row in rows
        if any(row[f"{name}__n"] for name in values)
    }


def percentiles_from_values(
    queryset: QuerySet,
    *,
    values: Mapping[str, str | Expression],
    fractions: Sequence[float],
    group: str | Expression | None = None,
) -> dict[Any, Percentiles]:
    """``percentiles`` computed from the values, read in order (any database)."""
    result: dict[Any, Percentiles] = {}
    for name, value in values.items():
        base = queryset.order_by().annotate(percentile_value=_expression(value))
        base = base.filter(percentile_value__isnull=False)
        if group is None:
            ordered = list(base.order_by("percentile_value").values_list("percentile_value"))
            pairs: Iterable[tuple[Any, Any]] = ((None, value) for (value,) in ordered)
        else:
            pairs = (
                base.annotate(percentile_group=_expression(group))
                .order_by("percentile_group", "percentile_value")
                .values_list("percentile_group", "percentile_value")
            )
        for key, rows in groupby(pairs, key=lambda pair: pair[0]):
            sorted_values = [row[1] for row in rows]
            result.setdefault(key, {})[name] = (
                len(sorted_values),
                [percentile_cont(sorted_values, fraction) for fraction in fractions],
            )
    for figures in result.values():
        for name in values:
            figures.setdefault(name, (0, [None] * len(fractions)))
    return result
