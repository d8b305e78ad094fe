"""The Django admin: every model reachable, lists bounded, personal data guarded."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from audit.models import AccessLogEntry
from followup.models import FollowUp, RegisterOutcome, SurveyResponse
from participants.models import (
    CaseNote,
    Consent,
    LearningGoal,
    Participant,
    Study,
    SupportActivity,
    TransferRequest,
)
from participants.personnummer import luhn_check_digit
from placements.models import Internship, Placement, WageSubsidyCase
from privacy.models import RetentionRun
from survey.models import SurveyRound
from tests.factories import (
    AdminFactory,
    CaseNoteFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    TransferRequestFactory,
    UnitFactory,
    UserFactory,
    WorkplaceFactory,
    job_type,
    make_personnummer,
)
from tests.helpers import admin_url, change_page_data, formset_management_data

# Built from the registry so a newly registered model is covered without
# touching this file.
REGISTERED_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def full_case(superuser: User) -> Participant:
    """One participant with a row in every model the admin shows."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # The admin is where a lost phone's device is removed.
    TOTPDevice.objects.create(user=superuser, name="Telefon", confirmed=True)
    placement = PlacementFactory(end_date=datetime.date(2021, 1, 31), end_reason="completed")
    participant = placement.participant
    FollowUpFactory(placement=placement, due_date=datetime.date(2021, 4, 30))
    Study.objects.create(
        participant=participant,
        placement=placement,
        kind="sfi",
        start_date=datetime.date(2020, 3, 1),
        extent_percent=25,
    )
    LearningGoal.objects.create(
        participant=participant, description="Truckkort", target_industry="Lager"
    )
    Internship.objects.create(
        participant=participant,
        placement=placement,
        employer="Lagerbolaget AB",
        start_date=datetime.date(2020, 6, 1),
        end_date=datetime.date(2020, 6, 14),
    )
    WageSubsidyCase.objects.create(
        participant=participant,
        placement=placement,
        applied_on=datetime.date(2020, 12, 1),
        decided_on=datetime.date(2020, 12, 20),
        outcome="granted",
    )
    SupportActivity.objects.create(
        participant=participant,
        phase="during",
        kind="coaching_talk",
        date=datetime.date(2020, 4, 1),
        recorded_by=superuser,
    )
    CaseNoteFactory(participant=participant, author=superuser)
    RegisterOutcome.objects.create(participant=participant, year=2021, income_source="studier")
    survey_round = SurveyRound.objects.create(
        name="2021", opens_on=datetime.date(2021, 9, 1), closes_on=datetime.date(2021, 9, 30)
    )
    SurveyResponse.objects.create(survey_round=survey_round, job_type=placement.job_type)
    Consent.objects.create(
        participant=participant, flow="scb", given=True, decided_on=datetime.date(2020, 1, 15)
    )
    RetentionRun.objects.create(cutoff=datetime.date(2016, 1, 1))
    TransferRequestFactory(participant=participant)
    return participant


# --- Every model is reachable ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m._meta.label)
def test_every_registered_model_has_a_working_changelist_and_add_page(
    admin_client: Client, full_case: Participant, model: type[Model]
) -> None:
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    # The access log is append-only: it has no add page, superusers included. Transfer
    # requests are made and decided on the pages, through their services, only.
    add_status = 403 if model in (AccessLogEntry, RetentionRun, TransferRequest) else 200
    assert admin_client.get(admin_url(model, "add")).status_code == add_status


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m._meta.label)
def test_every_registered_model_has_a_working_change_page_for_a_real_row(
    admin_client: Client, full_case: Participant, model: type[Model]
) -> None:
    row = model._default_manager.order_by("pk").first()
    if row is None:
        pytest.skip(f"no {model._meta.label} row in the fixture")
    assert admin_client.get(admin_url(model, "change", row.pk)).status_code == 200


@pytest.mark.django_db
def test_main_models_have_rows_for_their_change_pages(full_case: Participant) -> None:
    for model in (Participant, Placement, FollowUp, CaseNote, User, WageSubsidyCase):
        assert model.objects.exists(), model


@pytest.mark.django_db
def test_admin_site_has_the_programme_header(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:index"))
    assert "Stockholmsjobb – administration" in response.content.decode()


@pytest.mark.django_db
def test_admin_is_denied_to_non_staff(client: Client) -> None:
    client.force_login(UserFactory(is_staff=False))
    response = client.get(admin_url(Participant, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- Personnummer -----------------------------------------------------------


@pytest.mark.django_db
def test_participant_changelist_masks_personnummer(admin_client: Client) -> None:
    participant = ParticipantFactory()
    number = participant.personnummer

    content = admin_client.get(admin_url(Participant, "changelist")).content.decode()

    assert f"{number[:8]}-****" in content
    assert number not in content
    assert f"{number[:8]}-{number[8:]}" not in content


@pytest.mark.django_db
def test_placement_changelist_masks_personnummer(admin_client: Client) -> None:
    number = PlacementFactory().participant.personnummer

    content = admin_client.get(admin_url(Placement, "changelist")).content.decode()

    assert f"{number[:8]}-****" in content
    assert number not in content


def _search_forms(number: str) -> list[str]:
    return [number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}", number[2:]]


@pytest.mark.django_db
@pytest.mark.parametrize("form", range(4), ids=["12", "12-hyphen", "10-hyphen", "10"])
def test_participant_search_finds_every_form_of_personnummer(
    admin_client: Client, form: int
) -> None:
    wanted = ParticipantFactory(personnummer=make_personnummer(datetime.date(1985, 7, 9), 123))
    ParticipantFactory(personnummer=make_personnummer(datetime.date(1985, 7, 10), 123))

    term = _search_forms(wanted.personnummer)[form]
    response = admin_client.post(
        admin_url(Participant, "changelist"), {"q": term, "_search": "1"}, follow=True
    )

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_participant_search_accepts_plus_form_for_people_over_a_hundred(
    admin_client: Client,
) -> None:
    number = make_personnummer(datetime.date(1920, 3, 4), 321)
    wanted = ParticipantFactory(personnummer=number)
    ParticipantFactory(personnummer=make_personnummer(datetime.date(2000, 3, 4), 321))

    term = f"{number[2:8]}+{number[8:]}"
    response = admin_client.post(
        admin_url(Participant, "changelist"), {"q": term, "_search": "1"}, follow=True
    )

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_participant_search_by_name_still_works(admin_client: Client) -> None:
    wanted = ParticipantFactory(first_name="Zelda", last_name="Ekström")
    ParticipantFactory(first_name="Anna", last_name="Berg")

    response = admin_client.post(
        admin_url(Participant, "changelist"), {"q": "Ekström", "_search": "1"}, follow=True
    )

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_participant_search_with_bad_check_digit_falls_back_and_finds_nothing(
    admin_client: Client,
) -> None:
    number = ParticipantFactory().personnummer
    wrong = number[:11] + str((int(number[11]) + 1) % 10)

    response = admin_client.post(
        admin_url(Participant, "changelist"), {"q": wrong, "_search": "1"}, follow=True
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.django_db
def test_placement_and_followup_search_by_personnummer(admin_client: Client) -> None:
    followup = FollowUpFactory()
    FollowUpFactory()
    number = followup.placement.participant.personnummer
    term = f"{number[2:8]}-{number[8:]}"

    placements = admin_client.post(
        admin_url(Placement, "changelist"), {"q": term, "_search": "1"}, follow=True
    )
    followups = admin_client.post(
        admin_url(FollowUp, "changelist"), {"q": term, "_search": "1"}, follow=True
    )

    assert list(placements.context["cl"].result_list) == [followup.placement]
    assert list(followups.context["cl"].result_list) == [followup]


NUMBER_1985 = make_personnummer(datetime.date(1985, 7, 9), 123)
SAMORDNINGSNUMMER_1985 = f"850769-123{luhn_check_digit('850769123')}"  # day + 60


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "stored"),
    [
        (f"{NUMBER_1985[2:8]}-{NUMBER_1985[8:]}", NUMBER_1985),
        (f"{NUMBER_1985[:8]}-{NUMBER_1985[8:]}", NUMBER_1985),
        (SAMORDNINGSNUMMER_1985, "19" + SAMORDNINGSNUMMER_1985.replace("-", "")),
    ],
    ids=["10-digit-hyphen", "12-digit-hyphen", "samordningsnummer"],
)
def test_participant_added_in_admin_stores_12_digits_and_derives_birth_date(
    admin_client: Client, written: str, stored: str
) -> None:
    unit = UnitFactory()
    add_url = admin_url(Participant, "add")
    data = formset_management_data(admin_client.get(add_url))
    data.update(
        personnummer=written,
        first_name="Sara",
        last_name="Lind",
        unit=str(unit.pk),
        enrolled_on="2021-03-01",
        education_level="okand",
        foreign_born="unknown",
        disability="unknown",
    )

    response = admin_client.post(add_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    participant = Participant.objects.get()
    assert participant.personnummer == stored
    assert participant.birth_date == datetime.date(1985, 7, 9)


@pytest.mark.django_db
def test_participant_with_invalid_check_digit_shows_error_and_saves_nothing(
    admin_client: Client,
) -> None:
    number = make_personnummer(datetime.date(1985, 7, 9), 123)
    wrong = f"{number[2:8]}-{number[8:11]}{(int(number[11]) + 1) % 10}"
    add_url = admin_url(Participant, "add")
    data = formset_management_data(admin_client.get(add_url))
    data.update(
        personnummer=wrong,
        first_name="Sara",
        last_name="Lind",
        unit=str(UnitFactory().pk),
        enrolled_on="2021-03-01",
        education_level="okand",
    )

    response = admin_client.post(add_url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors["personnummer"]] == ["invalid_personnummer"]
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_personnummer_is_read_only_once_registered(admin_client: Client) -> None:
    participant = ParticipantFactory()

    response = admin_client.get(admin_url(Participant, "change", participant.pk))

    assert "personnummer" not in response.context["adminform"].form.fields
    assert 'name="personnummer"' not in response.content.decode()


# --- Bounded queries ----------------------------------------------------------


def _changelist_queries(client: Client, model: type[Model]) -> int:
    client.get(admin_url(model, "changelist"))  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


def _make_participants(count: int) -> None:
    ParticipantFactory.create_batch(count, coach=UserFactory())


def _make_placements(count: int) -> None:
    PlacementFactory.create_batch(count)


def _make_followups(count: int) -> None:
    FollowUpFactory.create_batch(count)


def _make_notes(count: int) -> None:
    CaseNoteFactory.create_batch(count, author=UserFactory())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Participant, _make_participants),
        (Placement, _make_placements),
        (FollowUp, _make_followups),
        (CaseNote, _make_notes),
        (User, UserFactory.create_batch),
    ],
    ids=["participant", "placement", "followup", "casenote", "user"],
)
def test_changelist_query_count_does_not_grow_with_rows(
    admin_client: Client, model: type[Model], make: Callable[[int], object]
) -> None:
    make(3)
    with_few = _changelist_queries(admin_client, model)
    make(27)
    with_many = _changelist_queries(admin_client, model)

    assert with_many == with_few


@pytest.mark.django_db
def test_participant_change_page_query_count_is_bounded_by_inline_rows(
    admin_client: Client, full_case: Participant
) -> None:
    url = admin_url(Participant, "change", full_case.pk)
    admin_client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    CaseNoteFactory.create_batch(20, participant=full_case, author=UserFactory())
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)

    assert len(many) == len(few)


# --- Case notes are append-only ----------------------------------------------


@pytest.mark.django_db
def test_case_note_cannot_be_changed_through_admin(admin_client: Client) -> None:
    note = CaseNoteFactory(text="Original")

    response = admin_client.post(
        admin_url(CaseNote, "change", note.pk),
        {"participant": note.participant_id, "text": "Rewritten", "corrects": ""},
    )

    assert response.status_code == 403
    note.refresh_from_db()
    assert note.text == "Original"


@pytest.mark.django_db
def test_case_note_cannot_be_deleted_through_admin(admin_client: Client) -> None:
    note = CaseNoteFactory()

    response = admin_client.post(admin_url(CaseNote, "delete", note.pk), {"post": "yes"})

    assert response.status_code == 403
    assert CaseNote.objects.filter(pk=note.pk).exists()


@pytest.mark.django_db
def test_case_note_cannot_be_deleted_by_bulk_action(admin_client: Client) -> None:
    note = CaseNoteFactory()

    admin_client.post(
        admin_url(CaseNote, "changelist"),
        {"action": "delete_selected", "_selected_action": [note.pk], "post": "yes"},
    )

    assert CaseNote.objects.filter(pk=note.pk).exists()


@pytest.mark.django_db
def test_case_note_can_be_added_and_records_the_author(
    admin_client: Client, superuser: User
) -> None:
    participant = ParticipantFactory()

    response = admin_client.post(
        admin_url(CaseNote, "add"),
        {"participant": participant.pk, "text": "Ringde om praktik.", "corrects": ""},
    )

    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert note.participant == participant
    assert note.author == superuser


@pytest.mark.django_db
def test_case_notes_are_read_only_on_the_participant_page(
    admin_client: Client, full_case: Participant
) -> None:
    response = admin_client.get(admin_url(Participant, "change", full_case.pk))

    notes = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is CaseNote
    )
    assert not notes.has_add_permission
    assert not notes.has_change_permission
    assert not notes.has_delete_permission
    assert "Träff om jobbsökning." in response.content.decode()


# --- Special-category data -----------------------------------------------------


def _staff_with(*codenames: str) -> User:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="participants", codename__in=codenames)
    )
    return user


@pytest.mark.django_db
def test_disability_is_hidden_without_sensitive_permission(client: Client) -> None:
    participant = ParticipantFactory(disability=True)
    client.force_login(_staff_with("view_participant", "change_participant"))

    change = client.get(admin_url(Participant, "change", participant.pk))
    changelist = client.get(admin_url(Participant, "changelist"))

    assert change.status_code == 200
    assert "disability" not in change.context["adminform"].form.fields
    assert 'name="disability"' not in change.content.decode()
    assert "disability__exact" not in changelist.content.decode()


@pytest.mark.django_db
def test_disability_cannot_be_filtered_by_url_without_sensitive_permission(
    client: Client,
) -> None:
    ParticipantFactory(disability=True)
    client.force_login(_staff_with("view_participant", "change_participant"))

    response = client.get(admin_url(Participant, "changelist"), {"disability__exact": "1"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_disability_is_shown_with_sensitive_permission(client: Client) -> None:
    participant = ParticipantFactory(disability=True)
    ParticipantFactory(disability=False)
    client.force_login(_staff_with("view_participant", "change_participant", "view_sensitive"))

    change = client.get(admin_url(Participant, "change", participant.pk))
    changelist = client.get(admin_url(Participant, "changelist"))
    filtered = client.get(admin_url(Participant, "changelist"), {"disability__exact": "1"})

    assert 'name="disability"' in change.content.decode()
    assert "disability__exact" in changelist.content.decode()
    assert list(filtered.context["cl"].result_list) == [participant]


@pytest.mark.django_db
def test_demo_admin_role_has_no_sensitive_data(client: Client) -> None:
    participant = ParticipantFactory(disability=True)
    client.force_login(AdminFactory())

    change = client.get(admin_url(Participant, "change", participant.pk))

    assert change.status_code == 200
    assert 'name="disability"' not in change.content.decode()


@pytest.mark.django_db
def test_saving_without_sensitive_permission_keeps_disability(client: Client) -> None:
    participant = ParticipantFactory(disability=True)
    client.force_login(_staff_with("view_participant", "change_participant"))
    url = admin_url(Participant, "change", participant.pk)
    data = change_page_data(client.get(url))
    data["first_name"] = "Omdöpt"

    response = client.post(url, data)

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.first_name == "Omdöpt"
    assert participant.disability is True


# --- Inlines -----------------------------------------------------------------


@pytest.mark.django_db
def test_support_activity_added_on_participant_page_records_who_added_it(
    admin_client: Client, superuser: User, full_case: Participant
) -> None:
    url = admin_url(Participant, "change", full_case.pk)
    response = admin_client.get(url)
    data = change_page_data(response)
    prefix = next(
        inline.formset.prefix
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is SupportActivity
    )
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 1)
    data.update(
        {
            f"{prefix}-{row}-date": "2020-05-04",
            f"{prefix}-{row}-phase": "during",
            f"{prefix}-{row}-kind": "job_search",
            f"{prefix}-{row}-note": "",
            f"{prefix}-{row}-placement": "",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context.get("errors")
    added = SupportActivity.objects.get(kind="job_search")
    assert added.participant == full_case
    assert added.recorded_by == superuser


@pytest.mark.django_db
def test_participant_page_offers_only_the_participants_own_placements(
    admin_client: Client, full_case: Participant
) -> None:
    other = PlacementFactory()

    response = admin_client.get(admin_url(Participant, "change", full_case.pk))

    studies = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Study
    )
    offered = set(studies.formset.form.base_fields["placement"].queryset)
    assert offered == set(full_case.placements.all())
    assert other not in offered


@pytest.mark.django_db
def test_internship_added_on_placement_page_belongs_to_its_participant(
    admin_client: Client, full_case: Participant
) -> None:
    placement = full_case.placements.get()
    url = admin_url(Placement, "change", placement.pk)
    response = admin_client.get(url)
    data = change_page_data(response)
    prefix = next(
        inline.formset.prefix
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Internship
    )
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 1)
    data.update(
        {
            f"{prefix}-{row}-employer": "Bageriet AB",
            f"{prefix}-{row}-occupation": "Bagare",
            f"{prefix}-{row}-start_date": "2020-09-01",
            f"{prefix}-{row}-end_date": "2020-09-10",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context.get("errors")
    added = Internship.objects.get(employer="Bageriet AB")
    assert added.placement == placement
    assert added.participant == full_case


@pytest.mark.django_db
def test_placement_admin_picks_big_tables_without_loading_them(admin_client: Client) -> None:
    WorkplaceFactory.create_batch(3)
    response = admin_client.get(admin_url(Placement, "add"))

    form = response.context["adminform"].form
    assert "vForeignKeyRawIdAdminField" in str(form["participant"])
    assert "admin-autocomplete" in str(form["workplace"])


@pytest.mark.django_db
def test_jobtype_page_shows_its_yearly_targets(admin_client: Client) -> None:
    basanstallning = job_type("basanstallning")

    response = admin_client.get(admin_url(type(basanstallning), "change", basanstallning.pk))

    targets = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model._meta.model_name == "placementtarget"
    )
    assert [form.instance.year for form in targets.formset.initial_forms] == [2021]


def _admins_of_participant_fields() -> list[tuple[type[Model], str]]:
    return [
        (model, field.name)
        for model in admin.site._registry
        for field in model._meta.get_fields()
        if field.is_relation and field.many_to_one and field.related_model is Participant
    ]


@pytest.mark.django_db
def test_no_admin_picks_a_participant_by_autocomplete(admin_client: Client) -> None:
    """An autocomplete sends what is typed, a personnummer too, as ?term= in a GET."""
    pairs = _admins_of_participant_fields()
    assert len(pairs) >= 5  # placements, follow-up rows, journal, ...
    for model, field_name in pairs:
        assert field_name not in admin.site._registry[model].autocomplete_fields, model

    wanted = ParticipantFactory()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "placements",
            "model_name": "placement",
            "field_name": "participant",
            "term": wanted.personnummer,
        },
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_refuses_an_overlapping_placement(client):
    import datetime

    from placements.models import Placement
    from tests.factories import AdminFactory, PlacementFactory

    admin_user = AdminFactory(is_superuser=True)
    existing = PlacementFactory(start_date=datetime.date(2021, 1, 1), end_date=None)
    client.force_login(admin_user)
    response = client.post(
        "/admin/placements/placement/add/",
        {
            "participant": existing.participant.pk,
            "job_type": existing.job_type.pk,
            "workplace": existing.workplace.pk,
            "funding": "sdf",
            "start_date": "2021-06-01",
            "followup-TOTAL_FORMS": "0",
            "followup-INITIAL_FORMS": "0",
            "internships-TOTAL_FORMS": "0",
            "internships-INITIAL_FORMS": "0",
            "studies-TOTAL_FORMS": "0",
            "studies-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Deltagaren har redan ett Stockholmsjobb under den här perioden." in (
        response.content.decode()
    )
    assert Placement.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_pages_carry_our_favicon(admin_client: Client) -> None:
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert html.count('<link rel="icon"') == 1
    assert "img/favicon.svg" in html
