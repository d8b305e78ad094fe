import datetime

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from followup.models import FollowUp
from participants.models import CaseNote, District, Participant, TransferRequest, Unit
from participants.personnummer import legal_gender, luhn_check_digit
from placements.models import JobType, Placement, Workplace, follow_up_due_date


def make_personnummer(birth: datetime.date, serial: int) -> str:
    """A valid 12-digit personnummer for a birth date and a 3-digit serial."""
    nine = f"{birth:%y%m%d}{serial % 1000:03d}"
    return f"{birth:%Y%m%d}{serial % 1000:03d}{luhn_check_digit(nine)}"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Jobbtorg {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    unit = factory.SubFactory(UnitFactory)
    password = factory.django.Password("correct horse battery")


def _grant_role(user: User, role: str) -> None:
    user.groups.add(Group.objects.get(name=role))
    if role == "admin":
        user.is_staff = True
        user.save(update_fields=["is_staff"])


class CoachFactory(UserFactory):
    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create:
            _grant_role(self, extracted or "coach")


class ManagerFactory(UserFactory):
    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create:
            _grant_role(self, extracted or "manager")


class AdminFactory(UserFactory):
    unit = None

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create:
            _grant_role(self, extracted or "admin")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    birth_date = factory.Sequence(lambda n: datetime.date(1980, 1, 1) + datetime.timedelta(days=n))
    # Legal gender: the personnummer is made to carry it (even serial: kvinna).
    gender = "kvinna"
    personnummer = factory.LazyAttributeSequence(
        lambda p, n: make_personnummer(p.birth_date, 100 + 2 * (n % 450) + (p.gender == "man"))
    )
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Andersson{n}")

    @classmethod
    def _generate(cls, strategy, params):
        # A given personnummer decides the legal gender (its second-to-last digit).
        if "personnummer" in params and "gender" not in params:
            params = {**params, "gender": legal_gender(str(params["personnummer"]))}
        return super()._generate(strategy, params)

    unit = factory.SubFactory(UnitFactory)
    coach = None
    district = factory.LazyFunction(lambda: District.objects.order_by("pk").first())
    enrolled_on = datetime.date(2020, 1, 15)


def job_type(code: str = "basanstallning") -> JobType:
    return JobType.objects.get(code=code)


class WorkplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplace
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Förskolan Solrosen {n}")
    organisation = "Utbildningsförvaltningen"
    industry = "Förskola"


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    participant = factory.SubFactory(ParticipantFactory)
    job_type = factory.LazyFunction(job_type)
    workplace = factory.SubFactory(WorkplaceFactory)
    funding = "sdf"
    start_date = datetime.date(2020, 2, 1)
    planned_end_date = datetime.date(2021, 1, 31)
    end_date = None


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    placement = factory.SubFactory(PlacementFactory, end_date=datetime.date(2021, 1, 31))
    due_date = factory.LazyAttribute(lambda f: follow_up_due_date(f.placement.end_date))


class CaseNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseNote

    participant = factory.SubFactory(ParticipantFactory)
    text = "Träff om jobbsökning."


class ConsentFactory(factory.django.DjangoModelFactory):
    """A consent decision; given at the participant's enrolment unless told otherwise."""

    class Meta:
        model = "participants.Consent"

    participant = factory.SubFactory(ParticipantFactory)
    flow = "scb"
    given = True
    decided_on = factory.LazyAttribute(lambda c: c.participant.enrolled_on)


class TransferRequestFactory(factory.django.DjangoModelFactory):
    """A coach of another unit asks to take the participant over; waiting for a decision."""

    class Meta:
        model = TransferRequest

    participant = factory.SubFactory(ParticipantFactory)
    from_unit = factory.LazyAttribute(lambda t: t.participant.unit)
    to_unit = factory.SubFactory(UnitFactory)
    requested_by = factory.SubFactory(CoachFactory, unit=factory.SelfAttribute("..to_unit"))
    reason = "Har flyttat till vårt stadsdelsområde."
