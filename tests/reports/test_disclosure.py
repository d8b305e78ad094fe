"""Secondary suppression as plain numbers: nothing hidden can be worked out from what shows."""

from collections import defaultdict
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.disclosure import (
    Total,
    hidden_cells,
    secondary_suppression,
    small_cells,
    small_differences,
)
from reports.outcomes import OutcomeCounts, suppress

THRESHOLD = 5
GENDERS = Total("T", ("kvinna", "man", "annat"))


def hide(values: dict[str, int], *totals: Total, coarser=()) -> set[str]:
    return hidden_cells(values, totals or [GENDERS], THRESHOLD, coarser=coarser)


# --- within a table ------------------------------------------------------------------


def test_one_small_part_hides_the_next_smallest_part_too():
    values = {"T": 55, "kvinna": 40, "man": 12, "annat": 3}
    assert hide(values) == {"annat", "man"}


def test_a_table_without_small_cells_hides_nothing():
    assert hide({"T": 55, "kvinna": 40, "man": 10, "annat": 5}) == set()


def test_two_small_parts_that_add_up_to_the_threshold_protect_each_other():
    # The reader learns man + annat = 5, and each could be 1 to 4.
    assert hide({"T": 45, "kvinna": 40, "man": 3, "annat": 2}) == {"man", "annat"}


def test_two_small_parts_adding_up_to_less_than_the_threshold_hide_a_third():
    # Both are at least 1 and they add up to 2: each would be 1, so kvinna goes too.
    assert hide({"T": 42, "kvinna": 40, "man": 1, "annat": 1}) == {"kvinna", "man", "annat"}


def test_a_zero_part_is_never_hidden_and_the_next_non_zero_one_is():
    assert hide({"T": 43, "kvinna": 40, "man": 3, "annat": 0}) == {"kvinna", "man"}


def test_equal_parts_hide_the_first_in_order():
    assert hide({"T": 23, "kvinna": 10, "man": 10, "annat": 3}) == {"kvinna", "annat"}


def test_when_every_other_part_is_zero_the_total_is_hidden():
    # A total with a rest no part shows (job types no longer active): 13 = 3 + 0 + 10.
    job_types = Total("T", ("bas", "ungdom"))
    assert hide({"T": 13, "bas": 3, "ungdom": 0}, job_types) == {"bas", "T"}


def test_a_hidden_total_hides_a_part_when_every_part_shows():
    values = {"T": 30, "kvinna": 20, "man": 10, "annat": 0}
    assert secondary_suppression(values, {"T"}, [GENDERS], THRESHOLD) == {"T", "man"}


def test_a_small_total_with_its_small_parts_needs_nothing_more():
    assert hide({"T": 4, "kvinna": 3, "man": 1, "annat": 0}) == {"T", "kvinna", "man"}


def test_a_cell_hidden_in_one_total_counts_in_the_other_totals_it_belongs_to():
    # T is the total of the genders and of the job types: hiding it for the
    # job types leaves the genders' equation with two unknowns.
    job_types = Total("T", ("bas", "ungdom"))
    values = {"T": 13, "kvinna": 13, "man": 0, "annat": 0, "bas": 3, "ungdom": 0}
    assert hide(values, GENDERS, job_types) == {"T", "bas", "kvinna"}


def test_the_rules_hold_for_any_threshold():
    values = {"T": 25, "kvinna": 15, "man": 9, "annat": 1}
    assert hidden_cells(values, [GENDERS], 10) == {"man", "annat"}
    assert hidden_cells(values, [GENDERS], 2) == {"man", "annat"}
    assert hidden_cells(values, [GENDERS], 1) == set()


# --- across filters -------------------------------------------------------------------


def test_a_cell_a_coarser_view_exceeds_by_a_small_count_is_hidden():
    assert small_differences({"kvinna": 7}, [{"kvinna": 9}], THRESHOLD) == {"kvinna"}


def test_a_difference_of_zero_or_at_least_the_threshold_shows():
    assert small_differences({"kvinna": 7}, [{"kvinna": 7}], THRESHOLD) == set()
    assert small_differences({"kvinna": 7}, [{"kvinna": 12}], THRESHOLD) == set()


def test_any_coarser_view_is_enough_to_hide_a_cell():
    coarser = [{"kvinna": 20}, {"kvinna": 8}, {"kvinna": 7}]
    assert small_differences({"kvinna": 7}, coarser, THRESHOLD) == {"kvinna"}


def test_a_filtered_zero_stays_zero_whatever_the_coarser_view():
    # The coarser view protects its own small cell; the filtered 0 adds nothing to subtract.
    assert small_differences({"kvinna": 0}, [{"kvinna": 3}], THRESHOLD) == set()


def test_a_cell_hidden_across_filters_is_protected_within_its_table_too():
    values = {"T": 27, "kvinna": 7, "man": 20, "annat": 0}
    coarser = {"T": 34, "kvinna": 9, "man": 25, "annat": 0}
    assert hide(values, coarser=[coarser]) == {"kvinna", "man"}


# --- the cell as shown -------------------------------------------------------------------


def test_a_secondarily_hidden_cell_looks_like_a_small_one():
    large = OutcomeCounts(ended=60, followed_up=50, work=20, work_unsubsidised=20, studies=5)
    small = OutcomeCounts(ended=60, followed_up=3, work=1, work_unsubsidised=1)
    hidden = suppress(large, 5, hide_followed_up=True)
    assert hidden == {**suppress(small, 5), "ended": 60}
    assert hidden["followed_up"] == hidden["studies"] == "<5"
    assert hidden["share_work_or_studies"] is None
    assert hidden["coverage"] is None


def test_hiding_the_ended_count_hides_the_coverage_that_would_give_it_back():
    cell = suppress(OutcomeCounts(ended=60, followed_up=50, studies=5), 5, hide_ended=True)
    assert cell["ended"] == "<5"
    assert cell["coverage"] is None
    assert cell["followed_up"] == 50
    assert cell["share_work_or_studies"] == 10.0
    assert cell["suppressed"]


# --- properties: what a reader can work out -------------------------------------------------


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to write ``total`` as ``parts`` whole numbers of at least 1."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(1, total - parts + 2):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def reader(values: dict, hidden: set, totals: list[Total], slack: int = 3) -> dict:
    """Every value a reader can still give each hidden cell, by brute force.

    The reader sees every cell that is not hidden, knows that each total is the
    sum of its parts plus a rest it also knows (the worst case), and knows that
    a hidden cell is a whole number of at least 1 (zeros show). All totals here
    are one cell, as on the dashboard; given its value, the sums are independent.
    """
    total_key = totals[0].total
    true_total = values[total_key]
    if total_key in hidden:
        candidates = range(max(1, true_total - slack), true_total + slack + 1)
    else:
        candidates = [true_total]
    possible: dict = defaultdict(set)
    for candidate in candidates:
        solutions = []
        for total in totals:
            rest = true_total - sum(values[p] for p in total.parts)
            shown = sum(values[p] for p in total.parts if p not in hidden)
            unknown = [p for p in total.parts if p in hidden]
            found = list(compositions(candidate - rest - shown, len(unknown)))
            if not found:
                break
            solutions.append((unknown, found))
        else:
            if total_key in hidden:
                possible[total_key].add(candidate)
            for unknown, found in solutions:
                for solution in found:
                    for part, value in zip(unknown, solution, strict=True):
                        possible[part].add(value)
    return possible


small_or_not = st.one_of(st.integers(0, 4), st.integers(0, 11))


@st.composite
def tables(draw, *, sums: int = 1) -> tuple[dict, list[Total], set]:
    """One total with one or two breakdowns, a known rest, and cells hidden across filters."""
    values: dict = {}
    totals = []
    rest = draw(st.integers(0, 3)) if draw(st.booleans()) else 0
    breakdowns = [draw(st.lists(small_or_not, min_size=2, max_size=4)) for _ in range(sums)]
    grand = sum(breakdowns[0]) + rest
    for index, parts in enumerate(breakdowns):
        # Every breakdown adds up to the same total: pad the others' last part.
        parts = [*parts[:-1], max(0, grand - rest - sum(parts[:-1]))]
        keys = tuple(f"b{index}p{n}" for n in range(len(parts)))
        values.update(zip(keys, parts, strict=True))
        totals.append(Total("T", keys))
    values["T"] = max(grand, max(sum(values[p] for p in t.parts) for t in totals))
    nonzero = sorted(key for key, value in values.items() if value > 0)
    already = set(draw(st.lists(st.sampled_from(nonzero), max_size=2))) if nonzero else set()
    return values, totals, already


def check_nothing_can_be_worked_out(values: dict, totals: list[Total], already: set) -> set:
    hidden = secondary_suppression(
        values, small_cells(values, THRESHOLD) | already, totals, THRESHOLD
    )
    assert small_cells(values, THRESHOLD) | already <= hidden
    assert all(values[key] > 0 for key in hidden), "a zero was hidden"
    if "T" in hidden and any(all(values[p] == 0 for p in t.parts) for t in totals):
        # A breakdown of zeros makes the hidden total its rest, which no table
        # shows (job types no longer active); this reader would know it. Zeros
        # stay zeros, so that is the limit the module's docstring names.
        return hidden
    possible = reader(values, hidden, totals)
    for key in hidden:
        assert values[key] in possible[key]
        assert len(possible[key]) >= 2, (key, values, hidden, possible[key])
    if "T" not in hidden:
        for total in totals:
            hidden_sum = sum(values[p] for p in total.parts if p in hidden)
            assert hidden_sum == 0 or hidden_sum >= THRESHOLD, (total, values, hidden)
    return hidden


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_hidden_cell_can_be_worked_out_from_its_total(table):
    check_nothing_can_be_worked_out(*table)


@settings(max_examples=200, deadline=None)
@given(tables(sums=2))
def test_no_hidden_cell_can_be_worked_out_from_two_breakdowns_of_one_total(table):
    check_nothing_can_be_worked_out(*table)


@settings(max_examples=200, deadline=None)
@given(tables())
def test_total_minus_the_shown_parts_is_never_a_single_hidden_part(table):
    values, totals, _ = table
    hidden = hidden_cells(values, totals, THRESHOLD)
    if "T" in hidden:
        return
    (total,) = totals
    rest = values["T"] - sum(values[p] for p in total.parts)
    left = values["T"] - rest - sum(values[p] for p in total.parts if p not in hidden)
    # What is left after the subtraction is more than any one hidden part.
    assert all(values[p] < left for p in total.parts if p in hidden)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 30), min_size=1))
def test_a_table_without_hidden_cells_stays_as_it_is(values):
    shown = {key: value for key, value in values.items() if not 0 < value < THRESHOLD}
    totals = [Total("T", tuple(shown))]
    shown["T"] = sum(shown.values())
    assert hidden_cells(shown, totals, THRESHOLD) == set()


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 30), min_size=1),
    st.lists(st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 40)), max_size=4),
)
def test_small_differences_hide_exactly_the_non_zero_cells_a_coarser_view_exceeds_a_little(
    values, coarser
):
    hidden = small_differences(values, coarser, THRESHOLD)
    for key, value in values.items():
        differences = {view.get(key, 0) - value for view in coarser}
        expected = value > 0 and any(0 < d < THRESHOLD for d in differences)
        assert (key in hidden) == expected
