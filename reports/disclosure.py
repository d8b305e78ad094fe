"""Secondary suppression: a hidden small cell stays hidden beside its totals and across filters.

Primary suppression (``reports.outcomes.suppress``, DESIGN §4) hides a count of
1 to threshold − 1. Alone it is not enough, because the dashboard also shows
sums and lets a reader ask for coarser views:

- *Within a page* a total is shown beside its parts (a period's followed-up
  beside women and men; the current period's followed-up and ended
  beside each job type). If one part is hidden and the others are shown, the
  total minus the shown parts is the hidden part.
- *Across filters* a filtered view (say job type X) shows a cell that a
  coarser view (no filter, or X's setting) shows too. The coarser cell minus
  the filtered one counts the placements outside the filter; when that is 1 to
  threshold − 1 it is a small cell nobody shows, recovered by subtraction.

This module decides which cells to hide, from plain numbers: it knows nothing
of the database or of the page. Its ``is_small`` is the one small-cell test
of every table that hides small cells (the dashboard, the annual report, the
survey's results), with the threshold of the setting ``SMALL_CELL_THRESHOLD``.
A cell is any hashable key; a ``Total`` says which cells a shown total is the
sum of. Each count that can be subtracted (followed up; ended where it is
shown) is protected on its own, with its own call; a cell whose followed-up is
hidden shows none of its outcome counts, so the same pattern protects the
numerators (work, studies) too.

The rules, applied in this order:

1. *Small cells* (primary): a count of 1 to threshold − 1 is hidden.
2. *Small differences* (across filters): in a filtered view, a non-zero cell is
   hidden when, for any coarser view a user can ask for, the coarser cell minus
   this one is 1 to threshold − 1. The caller passes every such view (each
   subset of the applied filters, and for a job type also its setting). An
   unfiltered view has no coarser view and changes nothing: the finer view
   hides itself.
3. *Secondary suppression* (within the page), repeated until nothing changes:
   for every total whose value shows, the hidden non-zero parts must be none,
   or at least two that add up to at least the threshold and to more than
   their number. Otherwise the smallest shown non-zero part is hidden too (the
   first in order on a tie); when no part is left to hide, the total itself.
   A hidden total needs a hidden non-zero part beside it, or it is the sum of
   the shown ones; the smallest shown part is hidden then.

A hidden cell shows as a small one does (``<5``, no share), whichever rule
hid it, so a reader cannot tell the small cell from its protector; the note
under the dashboard's tables says that "<5" also marks those.

Zeros are never hidden. A true 0 says nothing about another cell, and a
reader who knows these rules knows that a hidden cell is not 0, so hiding a
zero would protect nothing. The one case where shown zeros give a hidden part
away (every other part is 0, so the total *is* the hidden part) is handled
by hiding the total.

What is guaranteed, for a reader who knows these rules and that every hidden
cell is a whole number of at least 1:

- Within one view, no hidden count can be worked out from the shown totals and
  parts: in every sum with a shown total, the hidden parts leave each of them
  at least two possible values, and their combined size is at least the
  threshold (two hidden cells of 1 would otherwise give each other away). A
  total the page does not break down (the rest of job types no longer active)
  counts as known to the reader, which can only hide more.
- Between a filtered view and any coarser view a user can ask for, no cell
  differs by 1 to threshold − 1: the complement of a filter is never a small
  cell shown by subtraction.

What is not guaranteed:

- A cell hidden in one view can come back as the difference of two other
  views: a coarser view minus a sibling (ordinary = all − adapted; ordinary
  and under 30 = under 30 − adapted and under 30). When the hidden cell is
  small (rule 1) the sibling differs from the coarser view by that small
  count, so rule 2 hides it there too. A cell hidden by rule 2 or 3 is not
  small itself, and a pair of other views can show it; such combinations of
  three views are out of scope, as are attacks on views that are not nested
  (two districts).
- Views are compared within one scope: a coach's views all hold their own
  unit only. A manager or an admin, who sees every unit, chooses a unit as
  a filter like any other, so a unit's view is compared with all units'.
- Report periods overlap (12-month windows, three a year); the difference
  of two periods is a difference of months that no table shows, and is not
  checked.
- The rules bound what subtraction reveals about counts, not what a shown
  zero says about a group ("none of the hidden few were women").
- A total broken down only in part holds a rest (placements of job types no
  longer active). The rest is taken as known when choosing what to hide,
  which only hides more; but a hidden total whose parts are all 0 equals
  its rest, and zeros are not hidden. The rest shows nowhere on the
  dashboard, and the same total is also broken down by gender, with no rest.
- Nesting of a job type in its setting holds when its placements are at
  workplaces of that setting (the cells carry the workplace's setting); a
  combination of job type and the other setting is its own view, protected
  against its own coarser views.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings

Key = Hashable


@dataclass(frozen=True)
class Total:
    """A total shown together with its parts: ``total = sum(parts) + rest``.

    The rest is what the total holds that no part shows (placements of job
    types no longer active); it is taken as known to the reader.
    """

    total: Key
    parts: tuple[Key, ...]


def small_cell_threshold() -> int:
    """The threshold of DESIGN §4's small cells: the setting ``SMALL_CELL_THRESHOLD`` (5)."""
    return settings.SMALL_CELL_THRESHOLD


def is_small(count: int, threshold: int | None = None) -> bool:
    """Whether a count (a denominator) is a small cell: 1 to threshold − 1.

    Zero is not small: a true 0 says nothing about anyone. ``threshold``
    defaults to the setting.
    """
    limit = small_cell_threshold() if threshold is None else threshold
    return 0 < count < limit


def hidden_text(threshold: int | None = None) -> str:
    """What a hidden count shows: ``<5`` with the default threshold."""
    return f"<{small_cell_threshold() if threshold is None else threshold}"


def small_cells(values: Mapping[Key, int], threshold: int) -> set[Key]:
    """Rule 1: the cells whose count is 1 to threshold − 1."""
    return {key for key, count in values.items() if is_small(count, threshold)}


def small_differences(
    values: Mapping[Key, int], coarser: Iterable[Mapping[Key, int]], threshold: int
) -> set[Key]:
    """Rule 2: the non-zero cells that a coarser view exceeds by 1 to threshold − 1.

    A coarser view without a cell has 0 there (nothing to subtract from).
    """
    hidden: set[Key] = set()
    for view in coarser:
        for key, count in values.items():
            if count > 0 and is_small(view.get(key, 0) - count, threshold):
                hidden.add(key)
    return hidden


def _gives_away(total: Total, values: Mapping[Key, int], hidden: set[Key], threshold: int) -> bool:
    nonzero = [part for part in total.parts if values[part] > 0]
    hidden_parts = [part for part in nonzero if part in hidden]
    if total.total in hidden:
        # Every part shows: the hidden total is their sum (plus the known rest).
        return not hidden_parts and len(nonzero) > 0
    if not hidden_parts:
        return False
    hidden_sum = sum(values[part] for part in hidden_parts)
    return len(hidden_parts) < 2 or hidden_sum < threshold or hidden_sum <= len(hidden_parts)


def _next_to_hide(total: Total, values: Mapping[Key, int], hidden: set[Key]) -> Key | None:
    shown = [part for part in total.parts if values[part] > 0 and part not in hidden]
    if shown:
        # min() keeps the first of equal parts, so the choice does not depend on dict order.
        return min(shown, key=lambda part: values[part])
    return None if total.total in hidden else total.total


def secondary_suppression(
    values: Mapping[Key, int], hidden: Iterable[Key], totals: Iterable[Total], threshold: int
) -> set[Key]:
    """Rule 3: ``hidden`` grown until no shown total gives a hidden part away.

    Every cell of every total must be in ``values``. The result holds ``hidden``.
    """
    result = set(hidden)
    totals = list(totals)
    changed = True
    while changed:
        changed = False
        for total in totals:
            if _gives_away(total, values, result, threshold):
                key = _next_to_hide(total, values, result)
                if key is not None:
                    result.add(key)
                    changed = True
    return result


def hidden_cells(
    values: Mapping[Key, int],
    totals: Iterable[Total],
    threshold: int,
    *,
    coarser: Iterable[Mapping[Key, int]] = (),
) -> set[Key]:
    """Every cell to hide for one count: rules 1, 2 and 3 in turn.

    ``values`` is the view's count per cell, ``totals`` the sums the page shows,
    ``coarser`` the same count per cell in every coarser view (none for an
    unfiltered view).
    """
    hidden = small_cells(values, threshold) | small_differences(values, coarser, threshold)
    return secondary_suppression(values, hidden, totals, threshold)
