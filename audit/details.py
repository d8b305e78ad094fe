"""The access log's details, in the reader's language.

A row's ``detail`` is stored as written, in English: the log is append-only
and hash-chained (``audit.chain``), so a row is never rewritten, and the
stored text stays the same whatever language its writer or reader uses.
Pages show it through ``describe``, which recognises the details the
application writes and translates them; anything else is shown as stored.

Every detail the code writes has a pattern here: ``tests/audit/test_details.py``
reads the code for them, so a new one without a translation fails a test.
"""

import re
from functools import cache

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (pattern of the stored English text, its translatable wording). A pattern's
# named groups are the wording's placeholders; each matches the whole detail.
DETAILS: tuple[tuple[str, Promise], ...] = (
    (r"personnummer search", _("personal identity number search")),
    (
        r"registration of a personnummer registered in another unit",
        _("registration of a personal identity number registered in another unit"),
    ),
    (r"personal identity number corrected", _("personal identity number corrected")),
    (r"full personal identity number shown", _("full personal identity number shown")),
    (
        r"follow-up registered as not reached \(several at once\)",
        _("follow-up registered as not reached (several at once)"),
    ),
    (
        r"follow-up out of reach \(not reached, several at once\)",
        _("follow-up out of reach (not reached, several at once)"),
    ),
    (
        r"participant out of reach \(caseload reassignment\)",
        _("participant out of reach (caseload reassignment)"),
    ),
    (r"transfer requested", _("transfer requested")),
    (
        r"transfer approved \(request (?P<request>.+)\)",
        _("transfer approved (request %(request)s)"),
    ),
    (
        r"transfer declined \(request (?P<request>.+)\): moved by request (?P<moved_by>.+)",
        _("transfer declined (request %(request)s): moved by request %(moved_by)s"),
    ),
    (
        r"transfer declined \(request (?P<request>.+)\)",
        _("transfer declined (request %(request)s)"),
    ),
    (
        r"transfer requests, page (?P<page>.+), (?P<rows>.+) rows",
        _("transfer requests, page %(page)s, %(rows)s rows"),
    ),
    (
        r"caseload reassignment to (?P<coach>.+)",
        _("caseload reassigned to %(coach)s"),
    ),
    (
        r"caseload reassignment: (?P<count>.+) participants to (?P<coach>.+)",
        _("caseload reassigned: %(count)s participants to %(coach)s"),
    ),
    (
        r"admin list, page (?P<page>.+), (?P<rows>.+) rows",
        _("admin list, page %(page)s, %(rows)s rows"),
    ),
    (
        r"placements export: (?P<rows>.+) rows",
        _("placements export: %(rows)s rows"),
    ),
    (
        r"placements export \(a selection\): (?P<rows>.+) rows",
        _("placements export (a selection): %(rows)s rows"),
    ),
    (r"placements import", _("placements import")),
    (
        r"import of (?P<rows>.+) rows: (?P<created>.+) participants created, "
        r"(?P<updated>.+) updated, (?P<placements_created>.+) placements created, "
        r"(?P<placements_updated>.+) updated, (?P<followups>.+) follow-ups registered",
        _(
            "import of %(rows)s rows: %(created)s participants created, %(updated)s updated, "
            "%(placements_created)s placements created, %(placements_updated)s updated, "
            "%(followups)s follow-ups registered"
        ),
    ),
    (r"second factor", _("second factor")),
    (r"second factor: wrong code", _("second factor: wrong code")),
    (
        r"second factor reset for (?P<username>.+)",
        _("second factor reset for %(username)s"),
    ),
    (r"HTTP (?P<status>\d+)", _("HTTP %(status)s")),
    (
        r"retention: (?P<rows>.+) access-log rows from before (?P<date>.+) deleted",
        _("retention: %(rows)s access-log rows from before %(date)s deleted"),
    ),
    (
        r"access-log sample (?P<month>.+): (?P<rows>.+) rows",
        _("access-log sample %(month)s: %(rows)s rows"),
    ),
    (r"register extract", _("register extract")),
    (r"survey invitation issued", _("survey invitation issued")),
    (
        r"survey round (?P<round>.+): (?P<count>.+) invitations issued",
        _("survey round %(round)s: %(count)s invitations issued"),
    ),
    (r"survey link printed", _("survey link printed")),
    (
        r"paper import: (?P<count>.+) responses to survey round (?P<round>.+)",
        _("paper import: %(count)s responses to survey round %(round)s"),
    ),
    (r"SCB register import", _("SCB register import")),
    (
        r"SCB cohort (?P<year>.+): (?P<sent>.+) personnummer, (?P<left_out>.+) without consent",
        _("SCB cohort %(year)s: %(sent)s personal identity numbers, %(left_out)s without consent"),
    ),
    (
        r"Imported (?P<rows>.+) rows for (?P<years>.+): (?P<stored>.+) stored "
        r"\((?P<replaced>.+) earlier rows of these years replaced\); left out: "
        r"(?P<without_consent>.+) without consent to SCB follow-up, "
        r"(?P<not_participants>.+) not participants\.",
        _(
            "Imported %(rows)s rows for %(years)s: %(stored)s stored (%(replaced)s earlier "
            "rows of these years replaced); left out: %(without_consent)s without consent "
            "to SCB follow-up, %(not_participants)s not participants."
        ),
    ),
    (
        r"annual report (?P<year>.+): (?P<kind>.+)",
        _("annual report %(year)s: %(kind)s"),
    ),
)

_COMPILED = tuple((re.compile(pattern), wording) for pattern, wording in DETAILS)


def wording_for(detail: str) -> tuple[Promise, dict[str, str]] | None:
    """The translatable wording of a stored detail and its values; None if unknown."""
    for pattern, wording in _COMPILED:
        match = pattern.fullmatch(detail)
        if match:
            return wording, match.groupdict()
    return None


def describe(detail: str) -> str:
    """The stored detail in the active language; an unknown one as stored."""
    found = wording_for(detail)
    if found is None:
        return detail
    wording, values = found
    return str(wording) % values


@cache
def _model_names() -> dict[str, Promise | str]:
    return {model._meta.model_name: model._meta.verbose_name for model in apps.get_models()}


def object_type_name(object_type: str) -> str:
    """A row's ``object_type`` (a model's name, "participant") as the model's verbose name."""
    name = _model_names().get(object_type)
    return str(name) if name is not None else object_type
