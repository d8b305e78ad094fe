"""What the system holds about a person, found by walking the models, not from a list.

Every model that reaches Participant through foreign keys (directly, or
through a placement and its follow-up, ...) holds data about the person.
Walking ``_meta`` from Participant finds them all, so a model added later is
in the register extract and counts for retention the day it is added.
Aggregate tables (the reports' snapshots and cells) have no such path and are
not personal data.
"""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import (
    DateField,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, TruncDate
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit.models import AccessLogEntry
from participants.models import Participant
from placements.models import Placement

# Stands in for "no date" so that Greatest has a value to compare on every
# backend (PostgreSQL's GREATEST skips NULLs, SQLite's MAX returns NULL).
NO_DATE = datetime.date(1, 1, 1)
MISSING = "–"


@dataclass(frozen=True)
class PersonModel:
    """A model holding data about participants, and how its rows lead to one."""

    model: type[models.Model]
    # Lookups from a row to its participant ("pk" for Participant itself), e.g.
    # "participant", "placement__participant". Rows reached by any of them count.
    paths: tuple[str, ...]
    through_many: bool = False

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows_about(self, participant_ids: Iterable[int]) -> QuerySet:
        ids = list(participant_ids)
        about = Q()
        for path in self.paths:
            about |= Q(**{f"{path}__in": ids})
        # The base manager: a default manager that hides rows must not hide them here.
        rows = self.model._base_manager.filter(about)
        return rows.distinct() if self.through_many else rows


def _reverse_relations(model: type[models.Model]) -> list:
    # Hidden ones too: a foreign key declared with related_name="+" is still a path.
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.one_to_many or relation.one_to_one or relation.many_to_many)
    ]


@cache
def person_models() -> tuple[PersonModel, ...]:
    """Participant first, then every model that reaches it, in the order found."""
    paths: dict[type[models.Model], list[str]] = {Participant: ["pk"]}
    many: set[type[models.Model]] = set()

    def walk(model: type[models.Model], path: str, on_path: frozenset, crosses_many: bool) -> None:
        for relation in _reverse_relations(model):
            related = relation.related_model
            # Through tables of many-to-many fields go with the field's own model.
            if related in on_path or related._meta.auto_created:
                continue
            lookup = relation.field.name if path == "pk" else f"{relation.field.name}__{path}"
            found = paths.setdefault(related, [])
            if lookup not in found:
                found.append(lookup)
            # A path through a many-to-many field can reach a row more than once.
            crossing = crosses_many or relation.many_to_many
            if crossing:
                many.add(related)
            walk(related, lookup, on_path | {related}, crossing)

    walk(Participant, "pk", frozenset({Participant}), False)
    return tuple(
        PersonModel(model, tuple(model_paths), through_many=model in many)
        for model, model_paths in paths.items()
    )


# --- The last entry: what retention counts from ----------------------------------------------


def _entry_dates(model: type[models.Model]) -> list:
    """Every date a row of the model carries, as a date (times in the local time zone).

    All of them, not a chosen few, so that a date field added later counts:
    a planned end or a next review in the future keeps the case alive. The
    birth date is among them and never decides (it precedes every entry). An
    integer field named ``year`` (the SCB register year) counts as its last day.
    """
    dates = []
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, DateTimeField):
            date = TruncDate(model_field.attname)
        elif isinstance(model_field, DateField):
            date = model_field.attname
        elif isinstance(model_field, models.IntegerField) and model_field.name == "year":
            date = Cast(
                Concat(Cast(model_field.attname, models.CharField()), Value("-12-31")),
                DateField(),
            )
        else:
            continue
        dates.append(Coalesce(date, Value(NO_DATE), output_field=DateField()))
    return dates


def _newest(dates: list):
    return dates[0] if len(dates) == 1 else Greatest(*dates, output_field=DateField())


def with_last_entry(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """Annotate ``last_entry``: the newest date in the participant's own row and history.

    One statement: a correlated subquery per model and path (the newest date
    among that model's rows of the participant), and the greatest of them.
    The access log and the admin's log are not entries: reading a record does
    not keep it alive.
    """
    newest = [_newest(_entry_dates(Participant))]
    for person_model in person_models()[1:]:
        dates = _entry_dates(person_model.model)
        if not dates:
            continue
        for path in person_model.paths:
            rows = (
                person_model.model._base_manager.filter(**{path: OuterRef("pk")})
                .order_by()
                .values(path)
                .annotate(newest=Max(_newest(dates)))
                .values("newest")
            )
            newest.append(
                Coalesce(
                    Subquery(rows, output_field=DateField()),
                    Value(NO_DATE),
                    output_field=DateField(),
                )
            )
    return participants.annotate(last_entry=_newest(newest))


def participants_expired(cutoff: datetime.date) -> QuerySet[Participant]:
    """Participants whose last entry is before ``cutoff`` and who have no ongoing placement."""
    ongoing = Placement.objects.filter(participant=OuterRef("pk"), end_date__isnull=True)
    return (
        with_last_entry(Participant._base_manager.all())
        .filter(last_entry__lt=cutoff)
        .exclude(Exists(ongoing))
        .order_by("pk")
    )


# --- The register extract ----------------------------------------------------------------------


@dataclass
class ExtractSection:
    """One kind of record: its label (for machines), its title and its rows."""

    label: str
    title: str
    records: list[list[tuple[str, str]]] = field(default_factory=list)


@dataclass
class ExtractLogRow:
    at: str
    action: str
    record_kind: str
    unit: str
    actor: str


@dataclass
class RegisterExtract:
    participant: Participant
    produced_at: datetime.datetime
    sections: list[ExtractSection]
    access_log: list[ExtractLogRow]


def _shown_fields(model: type[models.Model]) -> list[models.Field]:
    # The id is ours, not the person's; the link back to the participant says
    # nothing the heading does not.
    return [
        model_field
        for model_field in model._meta.concrete_fields
        if not model_field.primary_key
        and not (model_field.is_relation and model_field.related_model is Participant)
    ]


def display_value(row: models.Model, model_field: models.Field) -> str:
    """A field's value as a person reads it: labels for choices, names for users."""
    if model_field.choices:
        shown = getattr(row, f"get_{model_field.name}_display")()
        return str(shown) if shown not in (None, "") else MISSING
    value = getattr(row, model_field.name)
    if value is None or value == "":
        return MISSING
    if isinstance(value, AbstractBaseUser):
        return value.get_full_name() or value.get_username()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(model_field, models.JSONField):
        return json.dumps(value, ensure_ascii=False)
    return str(formats.localize(value))


def _section(person_model: PersonModel, participant: Participant) -> ExtractSection:
    model = person_model.model
    shown = _shown_fields(model)
    related = [
        model_field.name
        for model_field in shown
        if model_field.is_relation and (model_field.many_to_one or model_field.one_to_one)
    ]
    rows = (
        [participant]
        if model is Participant
        else person_model.rows_about([participant.pk]).select_related(*related)
    )
    return ExtractSection(
        label=person_model.label,
        title=str(capfirst(model._meta.verbose_name_plural)),
        records=[
            [
                (str(capfirst(model_field.verbose_name)), display_value(row, model_field))
                for model_field in shown
            ]
            for row in rows
        ],
    )


def access_log_about(participant_id: int) -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.filter(
        Q(participant_id=participant_id) | Q(object_type="participant", object_id=participant_id)
    ).order_by("at", "id")


def _log_row(entry: AccessLogEntry, kinds: dict[str, str]) -> ExtractLogRow:
    # Staff are named by their unit, not by name or username: see README, "Register extract".
    return ExtractLogRow(
        at=formats.date_format(timezone.localtime(entry.at), "SHORT_DATETIME_FORMAT"),
        action=entry.get_action_display(),
        record_kind=kinds.get(entry.object_type, entry.object_type) or MISSING,
        unit=entry.unit_name or MISSING,
        actor=_("Staff member") if entry.user_id else _("The system"),
    )


def register_extract(participant: Participant) -> RegisterExtract:
    """Everything held about the participant: one query per kind of record, and the log."""
    participant = Participant._base_manager.select_related("unit", "coach", "district").get(
        pk=participant.pk
    )
    found = person_models()
    kinds = {
        person_model.model._meta.model_name: str(person_model.model._meta.verbose_name)
        for person_model in found
    }
    return RegisterExtract(
        participant=participant,
        produced_at=timezone.now(),
        sections=[_section(person_model, participant) for person_model in found],
        access_log=[_log_row(entry, kinds) for entry in access_log_about(participant.pk)],
    )
