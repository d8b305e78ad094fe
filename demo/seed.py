"""Synthetic demo data: units, staff, workplaces, participants, placements,
follow-ups and some case content, for `manage.py seed_demo`.

Nothing here describes a real person. Names are combined at random from fixed
lists of common first and last names; personnummer are random birth dates with
a valid check digit; e-mail addresses use the reserved `.example` top-level
domain and phone numbers the range PTS keeps for fiction.

The follow-up outcomes are steered rather than drawn freely, so the dashboards
tell the story of the 2021 annual report at any data size: a share working or
studying around 58 % for placements that ended in 2018-2019, a drop to about
48.5 % in the VB-2020 window (2019-09-01..2020-08-31) that is steeper for
women, and a recovery from 2021.

Every random choice goes through the `random.Random` the caller passes in, and
"today" is a parameter, so a seed and a date give the same data every time.
"""

import calendar
import datetime
import math
import random
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.utils import timezone

from accounts.models import Role, User
from demo.register import seed_register_outcomes
from demo.survey import delete_survey_data, seed_survey
from followup.models import FollowUp, Outcome
from participants.models import (
    ActivityKind,
    CaseNote,
    Consent,
    ConsentFlow,
    District,
    EducationLevel,
    Gender,
    GoalStatus,
    LearningGoal,
    Participant,
    Phase,
    Study,
    StudyKind,
    SupportActivity,
    Unit,
)
from participants.personnummer import COORDINATION_DAY_OFFSET, luhn_check_digit
from placements.models import (
    EndReason,
    Funding,
    Internship,
    JobType,
    OrganisationKind,
    Placement,
    PlacementTarget,
    Setting,
    SubsidyKind,
    SubsidyOutcome,
    WageSubsidyCase,
    Workplace,
    follow_up_due_date,
)

BATCH_SIZE = 1000
DEMO_PASSWORD = "stockholm"  # noqa: S105 - DESIGN.md section 5: the demo users' known password
DEMO_USERNAMES = ("coach", "manager", "admin")
# Staff made by the seed are recognised by this domain when --force clears them.
# `.example` is reserved (RFC 2606), so no real address can end with it.
DEMO_EMAIL_DOMAIN = "jobbtorg.example"

FIRST_YEAR = 2018
PLACEMENTS_PER_YEAR = 800
TARGET_YEARS = range(2018, 2027)

# Table 1 of the 2021 annual report: planned places per job type. Placements
# are split over job types in these proportions.
PLACES_2021 = {
    "ungdomsanstallning": 230,
    "basanstallning": 342,
    "serviceassistent": 65,
    "arbetslagsanstallning": 75,
    "stockholmsvard": 85,
    "jobbstartsanstallning": 25,
}
# 2020 dips with the pandemic; the other years wobble around the plan.
YEAR_VOLUME = {2018: 0.96, 2019: 1.0, 2020: 0.93, 2021: 1.03, 2023: 0.98, 2024: 1.02}
TARGET_VOLUME = {2018: 0.9, 2019: 0.95, 2020: 1.0, 2022: 1.03, 2023: 1.0, 2024: 0.97}

# --- Organisation ------------------------------------------------------------

UNIT_DISTRICTS = {
    "Jobbtorg Järva": ("rinkeby-kista", "spanga-tensta"),
    "Jobbtorg Söderort": (
        "enskede-arsta-vantor",
        "farsta",
        "hagersten-alvsjo",
        "skarpnack",
        "skarholmen",
    ),
    "Jobbtorg Västerort": ("bromma", "hasselby-vallingby"),
    "Jobbtorg City": ("kungsholmen", "norrmalm", "sodermalm", "ostermalm"),
}
DEMO_UNIT = "Jobbtorg Järva"
# Where participants live: the Järva and southern districts weigh most.
DISTRICT_WEIGHTS = {
    "rinkeby-kista": 14,
    "spanga-tensta": 11,
    "bromma": 4,
    "hasselby-vallingby": 9,
    "enskede-arsta-vantor": 11,
    "farsta": 8,
    "hagersten-alvsjo": 7,
    "skarpnack": 6,
    "skarholmen": 9,
    "kungsholmen": 3,
    "norrmalm": 3,
    "sodermalm": 7,
    "ostermalm": 2,
}

# Disability is shown only with an explicit permission, granted per user
# (never through a role's group): the demo coach and the demo admin have it,
# so the demo shows both sides; the demo manager and the other staff do not.
SENSITIVE_DEMO_USERS = ("coach", "admin")

# Consents (participants.Consent): most participants give both at enrolment;
# about one in ten gives no consent to the SCB register follow-up (half of
# them refuse, half are never asked) and a few withdraw a consent later.
NO_SCB_CONSENT_SHARE = 0.1
# District consent among those without months of social assistance recorded
# (everyone with the figure consented: it comes from the district under it).
DISTRICT_CONSENT_WITHOUT_FIGURE = 0.8
WITHDRAWAL_SHARE = 0.02

# username, first name, last name, role, unit (None: all units)
DEMO_USERS = (
    ("coach", "Lina", "Ekström", Role.COACH, DEMO_UNIT),
    ("manager", "Magnus", "Dahl", Role.MANAGER, DEMO_UNIT),
    ("admin", "Eva", "Sundberg", Role.ADMIN, None),
)
# The demo `coach` is the fourth coach of Järva.
UNIT_COACHES = {
    "Jobbtorg Järva": (("Amina", "Hassan"), ("Johan", "Lindqvist"), ("Sara", "Nordström")),
    "Jobbtorg Söderort": (
        ("Elin", "Axelsson"),
        ("Ahmed", "Yusuf"),
        ("Karin", "Sjöberg"),
        ("Daniel", "Öberg"),
    ),
    "Jobbtorg Västerort": (
        ("Maria", "Berglund"),
        ("Erik", "Sandberg"),
        ("Leila", "Karimi"),
        ("Mikael", "Holm"),
    ),
    "Jobbtorg City": (
        ("Fatima", "Ali"),
        ("Anders", "Wikström"),
        ("Jenny", "Lundgren"),
        ("Kristian", "Ek"),
    ),
}
UNIT_MANAGERS = {
    "Jobbtorg Järva": ("Helena", "Forsberg"),
    "Jobbtorg Söderort": ("Mona", "Engström"),
    "Jobbtorg Västerort": ("Per", "Strand"),
    "Jobbtorg City": ("Tomas", "Blom"),
}

# --- Names -------------------------------------------------------------------

FEMALE_SWEDISH = (
    "Anna", "Maria", "Emma", "Sara", "Elin", "Julia", "Ida", "Hanna", "Linnea", "Johanna",
    "Frida", "Matilda", "Elsa", "Moa", "Wilma", "Amanda", "Emelie", "Josefin", "Malin",
    "Sofia", "Karin", "Lisa", "Jenny", "Camilla", "Therese", "Linda", "Petra", "Susanne",
    "Eva", "Kristina", "Maja", "Alva", "Klara", "Tove", "Ebba", "Nathalie", "Rebecka",
    "Ellen", "Louise", "Helena",
)  # fmt: skip
MALE_SWEDISH = (
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Mikael", "Oskar", "Viktor", "Jonas",
    "Filip", "Emil", "Alexander", "Anton", "Simon", "Marcus", "Andreas", "Daniel", "Fredrik",
    "Niklas", "Henrik", "Patrik", "Tobias", "Robin", "Sebastian", "Gustav", "Axel", "Ludvig",
    "Hugo", "Elias", "William", "Lucas", "Isak", "Joel", "Kevin", "Dennis", "Jimmy",
    "Mattias", "Peter", "Stefan",
)  # fmt: skip
FEMALE_INTERNATIONAL = (
    "Fatima", "Amina", "Hodan", "Sahra", "Ayaan", "Leila", "Maryam", "Zainab", "Yasmin",
    "Nour", "Hiba", "Rania", "Aisha", "Hawa", "Samira", "Shirin", "Parisa", "Zahra", "Elif",
    "Zeynep", "Merve", "Aleksandra", "Katarzyna", "Agnieszka", "Milica", "Jelena", "Mariam",
    "Helen", "Selam", "Senait", "Rahel", "Luam", "Dalia", "Noor", "Nadia", "Ines",
    "Gabriela", "Camila", "Valentina", "Tiina", "Priya", "Ayesha",
)  # fmt: skip
MALE_INTERNATIONAL = (
    "Mohamed", "Ahmed", "Ali", "Abdi", "Abdullahi", "Hassan", "Hussein", "Omar", "Yusuf",
    "Ibrahim", "Mustafa", "Khalid", "Samir", "Karim", "Amir", "Reza", "Mehdi", "Dariush",
    "Ahmad", "Bilal", "Emre", "Mehmet", "Murat", "Kemal", "Tomasz", "Piotr", "Marek",
    "Nikola", "Dragan", "Milan", "Yonas", "Dawit", "Samuel", "Tesfaye", "Filmon", "Carlos",
    "Diego", "Luis", "Mikko", "Jukka", "Arjun", "Imran",
)  # fmt: skip
LAST_SWEDISH = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind",
    "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg",
    "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström",
    "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson",
    "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson",
)  # fmt: skip
LAST_INTERNATIONAL = (
    "Mohamed", "Ali", "Ahmed", "Hassan", "Hussein", "Abdi", "Osman", "Yusuf", "Omar",
    "Ibrahim", "Abdullahi", "Warsame", "Farah", "Jama", "Said", "Khalil", "Haddad",
    "Mansour", "Saleh", "Aziz", "Rahimi", "Hosseini", "Karimi", "Ahmadi", "Mohammadi",
    "Rezaei", "Jafari", "Yilmaz", "Demir", "Kaya", "Öztürk", "Aydin", "Nowak", "Kowalczyk",
    "Lewandowski", "Petrović", "Jovanović", "Nikolić", "Tesfay", "Gebremedhin", "Haile",
    "Tekle", "Berhane", "Mekonnen", "Virtanen", "Korhonen", "Nieminen", "Rodríguez",
    "García", "López", "Khan", "Hussain", "Singh", "Nguyen", "Tran",
)  # fmt: skip
CONTACT_NAMES = (
    ("Annika", "Bergström"), ("Hans", "Lundberg"), ("Sofia", "Khalil"), ("Ulf", "Nyberg"),
    ("Marie", "Holmberg"), ("Jonas", "Wallin"), ("Nadia", "Haddad"), ("Björn", "Eklund"),
    ("Lena", "Sandström"), ("Goran", "Petrović"), ("Cecilia", "Norén"), ("Ola", "Hedlund"),
    ("Hiba", "Saleh"), ("Pia", "Åberg"), ("Rolf", "Strand"), ("Ingrid", "Lindahl"),
)  # fmt: skip

# --- Workplaces ----------------------------------------------------------------

ORDINARY_JOB_TYPES = ("ungdomsanstallning", "basanstallning", "serviceassistent")
SHORTAGE_INDUSTRIES = frozenset({"Äldreomsorg", "Förskola", "Kök och restaurang"})


@dataclass(frozen=True)
class WorkplaceSpec:
    name: str
    organisation: str
    kind: str
    industry: str
    district: str | None
    weight: int = 1
    setting: str = Setting.ORDINARY
    job_types: tuple[str, ...] = ORDINARY_JOB_TYPES


# Three workplaces per district administration: a preschool, a care home and
# one more service, named after neighbourhoods of the district.
DISTRICT_WORKPLACES = {
    "bromma": ("Riksby", "Abrahamsberg", "Ängby"),
    "enskede-arsta-vantor": ("Högdalen", "Årsta", "Rågsved"),
    "farsta": ("Hökarängen", "Farsta strand", "Sköndal"),
    "hagersten-alvsjo": ("Fruängen", "Älvsjö", "Västertorp"),
    "hasselby-vallingby": ("Vällingby", "Hässelby gård", "Råcksta"),
    "kungsholmen": ("Kristineberg", "Fridhemsplan", "Stadshagen"),
    "norrmalm": ("Vasastan", "Birkastan", "Hagastaden"),
    "rinkeby-kista": ("Rinkeby", "Husby", "Akalla"),
    "skarpnack": ("Bagarmossen", "Björkhagen", "Skarpnäcks gård"),
    "skarholmen": ("Bredäng", "Sätra", "Vårberg"),
    "spanga-tensta": ("Tensta", "Hjulsta", "Solhem"),
    "sodermalm": ("Hornstull", "Skanstull", "Nytorget"),
    "ostermalm": ("Gärdet", "Lärkstaden", "Hjorthagen"),
}
PRESCHOOLS = (
    "Solrosen", "Blåklinten", "Vitsippan", "Prästkragen", "Maskrosen", "Linnean",
    "Tussilago", "Kastanjen", "Ekorren", "Myrstacken", "Regnbågen", "Humlan", "Nyckelpigan",
)  # fmt: skip
CARE_HOMES = (
    "Lindgården", "Ekgården", "Björkgården", "Rönngården", "Almgården", "Lönngården",
    "Hasselgården", "Aspgården", "Tallgården", "Granbacken", "Sjöbacken", "Solgården",
    "Ängsgården",
)  # fmt: skip
DISTRICT_SERVICES = (
    ("Tillagningsköket", "Kök och restaurang"),
    ("Lokalvården", "Lokalvård"),
    ("Parklaget", "Park och gata"),
    ("Medborgarservice", "Administration"),
)

# (organisation, kind): workplaces as (name, industry, district, weight).
ORDINARY_WORKPLACES = {
    ("Utbildningsförvaltningen", OrganisationKind.CITY_DEPARTMENT): (
        ("Grundskolan Ekbacken, Farsta", "Skola", "farsta", 2),
        ("Grundskolan Stjärnan, Rinkeby", "Skola", "rinkeby-kista", 2),
        ("Gymnasiet Kunskapshuset, Kungsholmen", "Skola", "kungsholmen", 1),
        ("Skolrestaurangen Vasastan", "Kök och restaurang", "norrmalm", 2),
    ),
    ("Äldreförvaltningen", OrganisationKind.CITY_DEPARTMENT): (
        ("Hemtjänsten Söderort", "Äldreomsorg", "enskede-arsta-vantor", 3),
        ("Seniorträffpunkten Kungsholmen", "Äldreomsorg", "kungsholmen", 1),
    ),
    ("Trafikkontoret", OrganisationKind.CITY_DEPARTMENT): (
        ("Gatudriften Söderort", "Park och gata", "farsta", 2),
        ("Parkenheten Innerstaden", "Park och gata", "sodermalm", 2),
    ),
    ("Idrottsförvaltningen", OrganisationKind.CITY_DEPARTMENT): (
        ("Eriksdalsbadet", "Idrott", "sodermalm", 2),
        ("Tensta sporthall", "Idrott", "spanga-tensta", 1),
        ("Grimsta idrottsplats", "Idrott", "hasselby-vallingby", 1),
    ),
    ("Kulturförvaltningen", OrganisationKind.CITY_DEPARTMENT): (
        ("Stadsbiblioteket", "Kultur", "norrmalm", 1),
        ("Kista bibliotek", "Kultur", "rinkeby-kista", 1),
        ("Medeltidsmuseet", "Kultur", "norrmalm", 1),
    ),
    ("Socialförvaltningen", OrganisationKind.CITY_DEPARTMENT): (
        ("Socialförvaltningen, kansliet", "Administration", "kungsholmen", 1),
        ("Mötesplatsen Klara", "Kök och restaurang", "norrmalm", 1),
    ),
    ("Stadsbyggnadskontoret", OrganisationKind.CITY_DEPARTMENT): (
        ("Stadsbyggnadskontoret, arkivet", "Administration", "kungsholmen", 1),
    ),
    ("Serviceförvaltningen", OrganisationKind.CITY_DEPARTMENT): (
        ("Kontaktcenter Stockholm", "Administration", "skarholmen", 2),
    ),
    ("Stockholmshem", OrganisationKind.CITY_COMPANY): (
        ("Stockholmshem, fastighetsservice Bagarmossen", "Fastighetsskötsel", "skarpnack", 2),
        ("Stockholmshem, fastighetsservice Hökarängen", "Fastighetsskötsel", "farsta", 1),
    ),
    ("Svenska Bostäder", OrganisationKind.CITY_COMPANY): (
        ("Svenska Bostäder, områdesservice Järva", "Fastighetsskötsel", "rinkeby-kista", 2),
    ),
    ("Familjebostäder", OrganisationKind.CITY_COMPANY): (
        (
            "Familjebostäder, fastighetsservice Årsta",
            "Fastighetsskötsel",
            "enskede-arsta-vantor",
            1,
        ),
    ),
    ("Stockholm Vatten och Avfall", OrganisationKind.CITY_COMPANY): (
        ("Återvinningscentralen Östberga", "Park och gata", "enskede-arsta-vantor", 1),
        ("Stockholm Vatten och Avfall, kundservice", "Administration", "sodermalm", 1),
    ),
    ("Micasa Fastigheter", OrganisationKind.CITY_COMPANY): (
        ("Micasa Fastigheter, Kristineberg", "Fastighetsskötsel", "kungsholmen", 1),
        ("Micasa Fastigheter, servicehuset Akalla", "Lokalvård", "rinkeby-kista", 1),
    ),
    ("SISAB", OrganisationKind.CITY_COMPANY): (
        ("SISAB, skolfastigheter Söderort", "Fastighetsskötsel", "hagersten-alvsjo", 1),
    ),
    ("Kulturhuset Stadsteatern", OrganisationKind.CITY_COMPANY): (
        ("Kulturhuset Stadsteatern", "Kultur", "norrmalm", 1),
    ),
    ("Lokalvårdsbolaget Norr AB", OrganisationKind.PROCURED_SUPPLIER): (
        ("Lokalvårdsbolaget Norr AB", "Lokalvård", "hasselby-vallingby", 2),
    ),
    ("Gröna Ytor Stockholm AB", OrganisationKind.PROCURED_SUPPLIER): (
        ("Gröna Ytor Stockholm AB", "Park och gata", "skarholmen", 1),
    ),
    ("Matkompaniet Söderort AB", OrganisationKind.PROCURED_SUPPLIER): (
        ("Matkompaniet Söderort AB", "Kök och restaurang", "farsta", 1),
    ),
    ("Omsorgsgruppen Väst AB", OrganisationKind.PROCURED_SUPPLIER): (
        ("Omsorgsgruppen Väst AB", "Äldreomsorg", "bromma", 2),
    ),
    ("Café Ängsblomman", OrganisationKind.PRIVATE_EMPLOYER): (
        ("Café Ängsblomman", "Kök och restaurang", "sodermalm", 1),
    ),
    ("Bageriet på Hornsgatan", OrganisationKind.PRIVATE_EMPLOYER): (
        ("Bageriet på Hornsgatan", "Kök och restaurang", "sodermalm", 1),
    ),
    ("Hemtjänstfirman Bromma AB", OrganisationKind.PRIVATE_EMPLOYER): (
        ("Hemtjänstfirman Bromma AB", "Äldreomsorg", "bromma", 1),
    ),
}
# The labour market administration's own adapted workplaces, with the job
# types they take: (name, industry, district, weight, job types).
ADAPTED_ORGANISATION = "Arbetsmarknadsförvaltningen"
YOUNG_ADAPTED = ("arbetslagsanstallning", "jobbstartsanstallning")
TEAM = ("arbetslagsanstallning",)
HOSTS = ("stockholmsvard",)
ADAPTED_WORKPLACES = (
    ("Snickeriet Hammarby", "Snickeri", "enskede-arsta-vantor", 2, YOUNG_ADAPTED),
    ("Kontorsservice Kista", "Kontorsservice", "rinkeby-kista", 2, YOUNG_ADAPTED),
    ("Kontorsservice Skärholmen", "Kontorsservice", "skarholmen", 1, YOUNG_ADAPTED),
    ("Lundaverkstaden", "Snickeri", "spanga-tensta", 2, YOUNG_ADAPTED),
    ("Parkskötsel Långholmen", "Park och gata", "sodermalm", 2, YOUNG_ADAPTED),
    ("Arbetslaget Tensta", "Fastighetsskötsel", "spanga-tensta", 2, TEAM),
    ("Arbetslaget Farsta", "Park och gata", "farsta", 2, TEAM),
    ("Återbruket Vantör", "Fastighetsskötsel", "enskede-arsta-vantor", 1, YOUNG_ADAPTED),
    ("Lokalvårdslaget Bromma", "Lokalvård", "bromma", 1, YOUNG_ADAPTED),
    ("Caféet Telefonplan", "Kök och restaurang", "hagersten-alvsjo", 1, YOUNG_ADAPTED),
    ("Stockholmsvärdarna Järva", "Park och gata", "rinkeby-kista", 3, HOSTS),
    ("Stockholmsvärdarna Söderort", "Park och gata", "farsta", 3, HOSTS),
    ("Stockholmsvärdarna Västerort", "Park och gata", "hasselby-vallingby", 2, HOSTS),
    ("Stockholmsvärdarna City", "Park och gata", "sodermalm", 2, HOSTS),
)
# Ordinary job types lean towards some industries: young people towards
# preschools and leisure, assistants towards offices, basic jobs towards care.
INDUSTRY_PREFERENCE = {
    "ungdomsanstallning": {"Förskola": 2.0, "Idrott": 2.0, "Kultur": 1.5, "Skola": 1.5},
    "basanstallning": {"Äldreomsorg": 1.5, "Lokalvård": 1.5, "Kök och restaurang": 1.5},
    "serviceassistent": {"Administration": 2.5, "Skola": 2.0, "Förskola": 1.5, "Kultur": 1.5},
}

# --- Placements and participants -----------------------------------------------

MONTH_WEIGHTS = (11, 10, 9, 8, 7, 6, 3, 9, 10, 9, 9, 4)
# (low, high, mode) of the age at start; clamped to the job type's own range.
AGE_PROFILE = {
    "ungdomsanstallning": (16, 29, 20),
    "basanstallning": (20, 64, 34),
    "serviceassistent": (18, 64, 27),
    "arbetslagsanstallning": (20, 29, 23),
    "stockholmsvard": (22, 64, 44),
    "jobbstartsanstallning": (18, 29, 21),
}
# Planned length in months with weights.
LENGTHS = {
    "ungdomsanstallning": ((6, 4), (9, 2), (12, 4)),
    "basanstallning": ((12, 1),),
    "serviceassistent": ((12, 3), (18, 2), (24, 5)),
    "arbetslagsanstallning": ((6, 3), (9, 2), (12, 5)),
    "stockholmsvard": ((10, 1),),
    "jobbstartsanstallning": ((6, 1),),
}
STOCKHOLMSVARD_EXTENDED = 0.3
EARLY_END = {
    "ungdomsanstallning": 0.16,
    "basanstallning": 0.18,
    "serviceassistent": 0.10,
    "arbetslagsanstallning": 0.28,
    "stockholmsvard": 0.15,
    "jobbstartsanstallning": 0.25,
}
EARLY_END_REASONS = {
    EndReason.WORK: 30,
    EndReason.STUDIES: 14,
    EndReason.ILLNESS: 12,
    EndReason.DISMISSED: 8,
    EndReason.OWN_REQUEST: 24,
    EndReason.OTHER: 12,
}
AMF_SHARE_OF_BASANSTALLNING = 0.3
SECOND_PLACEMENT_SHARE = 0.055
WOMEN = {
    "ungdomsanstallning": 0.49,
    "basanstallning": 0.50,
    "serviceassistent": 0.40,
    "arbetslagsanstallning": 0.20,
    "stockholmsvard": 0.42,
    "jobbstartsanstallning": 0.45,
}
GENDER_OTHER = 0.01
FOREIGN_BORN = {
    "ungdomsanstallning": 0.55,
    "basanstallning": 0.76,
    "serviceassistent": 0.40,
    "arbetslagsanstallning": 0.50,
    "stockholmsvard": 0.70,
    "jobbstartsanstallning": 0.55,
}
COORDINATION_NUMBER_SHARE = 0.02  # of the foreign-born
EDUCATION = {  # compulsory, upper secondary, post-secondary, unknown
    "ungdomsanstallning": (40, 45, 5, 10),
    "basanstallning": (50, 27, 11, 12),
    "serviceassistent": (35, 45, 10, 10),
    "arbetslagsanstallning": (65, 25, 0, 10),
    "stockholmsvard": (48, 30, 10, 12),
    "jobbstartsanstallning": (50, 38, 2, 10),
}
# (share with none, median months) before enrolment: long for the basic jobs
# and Stockholmsvärd, short for young people.
SOCIAL_ASSISTANCE = {
    "ungdomsanstallning": (0.35, 5),
    "basanstallning": (0.03, 30),
    "serviceassistent": (0.40, 10),
    "arbetslagsanstallning": (0.20, 10),
    "stockholmsvard": (0.02, 48),
    "jobbstartsanstallning": (0.25, 6),
}
UNEMPLOYMENT = {
    "ungdomsanstallning": (0.15, 6),
    "basanstallning": (0.05, 24),
    "serviceassistent": (0.10, 14),
    "arbetslagsanstallning": (0.15, 9),
    "stockholmsvard": (0.03, 40),
    "jobbstartsanstallning": (0.15, 8),
}

# --- Follow-ups ----------------------------------------------------------------

REGISTERED_OLD = 0.96  # due more than a month ago
REGISTERED_RECENT = 0.45  # due in the last month: coaches are behind
RECENT_DAYS = 30
DEMO_COACH_RECENT_SHARE = 0.3
DEMO_COACH_OLDER_SHARE = 0.22
MIN_OPEN_FOR_DEMO_COACH = 3

PRE_DROP = {Gender.KVINNA: 0.665, Gender.MAN: 0.63, Gender.ANNAT: 0.645}
DROP = {Gender.KVINNA: 0.45, Gender.MAN: 0.515, Gender.ANNAT: 0.485}
RECOVERED = {Gender.KVINNA: 0.545, Gender.MAN: 0.555, Gender.ANNAT: 0.55}
# Absolute shares (unsubsidised work, subsidised work, studies): the 2020
# drop is mostly fewer subsidised jobs, while studies rise a little.
PRE_DROP_MIX = (0.34, 0.17, 0.105)
DROP_MIX = (0.29, 0.07, 0.125)
RECOVERED_MIX = (0.31, 0.115, 0.125)
FAILURE_OUTCOMES = {
    Outcome.JOB_SEEKER: 44,
    Outcome.OTHER_PROGRAMME: 20,
    Outcome.SICK_LEAVE: 12,
    Outcome.PARENTAL_LEAVE: 6,
    Outcome.NOT_REACHED: 18,
}
# Relative chance of being among a month's successes.
SUCCESS_WEIGHT_BY_JOB_TYPE = {
    "ungdomsanstallning": 1.3,
    "basanstallning": 0.9,
    "serviceassistent": 0.9,
    "arbetslagsanstallning": 0.8,
    "stockholmsvard": 0.7,
    "jobbstartsanstallning": 1.1,
}
SUCCESS_WEIGHT_BY_END_REASON = {
    EndReason.WORK: 6.0,
    EndReason.STUDIES: 6.0,
    EndReason.ILLNESS: 0.3,
    EndReason.DISMISSED: 0.5,
    EndReason.OWN_REQUEST: 0.8,
    EndReason.OTHER: 0.8,
}
EMPLOYERS = (
    "Stockholms stad, äldreomsorg", "Stockholms stad, förskola", "Bemanningsbolaget Direkt AB",
    "Lokalvårdsbolaget Norr AB", "Matkompaniet Söderort AB", "Omsorgsgruppen Väst AB",
    "Lagerhallen Årsta AB", "Restaurang Kvarnen i Tensta", "Flyttfirman Snabb & Säker AB",
    "Byggservice Syd AB", "Butiken på hörnet", "Kollektivtrafikens städservice AB",
)  # fmt: skip
SCHOOLS = (
    "Komvux Stockholm", "Sfi Stockholm", "Yrkesvux Söderort", "Yrkesvux Järva",
    "Folkhögskolan i Stockholm", "Vårdutbildningen Kista", "Stockholms universitet",
)  # fmt: skip

# --- Case content ----------------------------------------------------------------

CONTENT_SAMPLE_SHARE = 0.05
INTERNSHIP_EMPLOYERS = (
    ("Lagerhallen Årsta AB", "Lagerarbetare"), ("Bageriet på Hornsgatan", "Bagare"),
    ("Omsorgsgruppen Väst AB", "Undersköterska"), ("Byggservice Syd AB", "Snickare"),
    ("Restaurang Kvarnen i Tensta", "Kock"), ("Butiken på hörnet", "Butiksbiträde"),
    ("Bilverkstaden Kista", "Fordonstekniker"), ("Förskolan Solrosen, Riksby", "Barnskötare"),
)  # fmt: skip
STUDY_COURSES = {
    StudyKind.SFI: (("Sfi kurs C", "Sfi Stockholm"), ("Sfi kurs D", "Sfi Stockholm")),
    StudyKind.BASIC_ADULT: (
        ("Svenska som andraspråk, grundläggande", "Komvux Stockholm"),
        ("Matematik, grundläggande", "Komvux Stockholm"),
    ),
    StudyKind.UPPER_SECONDARY_ADULT: (
        ("Svenska 1", "Komvux Stockholm"),
        ("Matematik 1a", "Komvux Stockholm"),
        ("Engelska 5", "Komvux Stockholm"),
    ),
    StudyKind.VOCATIONAL: (
        ("Barnskötare", "Yrkesvux Söderort"),
        ("Vårdbiträde", "Yrkesvux Järva"),
        ("Lokalvård", "Yrkesvux Söderort"),
        ("Kock", "Yrkesvux Järva"),
        ("Truckkort A+B", "Yrkesvux Söderort"),
    ),
}
GOALS = (
    "Klara arbetsuppgifterna självständigt efter introduktionen",
    "Förbättra svenskan i arbetet till nivå sfi D",
    "Ta B-körkort",
    "Läsa in en gymnasiekurs inför vidare studier",
    "Få ett intyg från arbetsplatsen om yrkeskunskaperna",
    "Gå kurs i hjärt- och lungräddning",
    "Lära sig schema, rutiner och kundbemötande",
)
NOTES_BEFORE = (
    "Inskrivning på Jobbtorg. {first} berättar om tidigare erfarenheter och vill helst "
    "arbeta inom {industry}.",
    "Kartläggningssamtal: utbildning, språk och hälsa. {first} är motiverad att komma i arbete.",
)
NOTE_MATCHING = (
    "Matchning mot {workplace}. Intervjun gick bra och anställningen som {job_type} börjar {start}."
)
NOTES_DURING = (
    "Trepartssamtal med {first} och handledaren på {workplace}. Arbetet fungerar bra och "
    "{first} trivs i arbetslaget.",
    "Avstämning efter första månaden. {first} har kommit in i rutinerna; vi planerar studier "
    "parallellt med arbetet.",
    "{first} har varit sjuk en vecka. Pratat med handledaren, återgång planerad på måndag.",
    "Samtal om tiden efter anställningen. {first} vill söka vidare inom {industry}.",
    "Gått igenom cv och personligt brev inför ansökningar.",
)
NOTE_AFTER = (
    "Avslutningssamtal. Anställningen på {workplace} är slut; vi har gjort en plan för "
    "jobbsökandet."
)
NOTE_CORRECTION = (
    "Rättelse av anteckningen från {date}: trepartssamtalet hölls med handledaren på "
    "{workplace}, inte med enhetschefen."
)
CORRECTION_SHARE = 0.1


@dataclass(frozen=True)
class SeedOptions:
    """What to make: placements start in first_year..last_year, never after today."""

    today: datetime.date
    first_year: int = FIRST_YEAR
    last_year: int | None = None  # None: today's year
    per_year: int = PLACEMENTS_PER_YEAR


@dataclass
class _Person:
    participant: Participant
    placements: list[Placement] = field(default_factory=list)

    @property
    def last(self) -> Placement:
        return self.placements[-1]


# --- Entry points --------------------------------------------------------------


def seed_demo(*, rng: random.Random, options: SeedOptions) -> dict[str, int]:
    """Create the demo data set and return row counts by kind.

    The caller owns the transaction and has checked that no participants
    exist: units, targets and the demo users are reused, the rest is new.
    """
    today = options.today
    units = _ensure_units()
    demo_users = _ensure_demo_users(units)
    demo_coach = demo_users["coach"]
    coaches = _create_staff(units, demo_coach)
    job_types = list(
        JobType.objects.filter(code__in=PLACES_2021, active=True).order_by("sort_order")
    )
    years = range(options.first_year, (options.last_year or today.year) + 1)
    _ensure_targets(rng, job_types, sorted(set(TARGET_YEARS) | set(years)))
    districts = {district.code: district for district in District.objects.all()}
    workplaces = _create_workplaces(districts)

    people = _plan_people(rng, options, job_types, districts, units, workplaces)
    _assign_coaches(rng, people, coaches, demo_coach, today)
    keep_open = _give_demo_coach_open_followups(rng, people, demo_coach, today)
    followups = _plan_followups(rng, people, today, keep_open)
    _assign_outcomes(rng, [f for f in followups if f.performed_on])

    participants = [person.participant for person in people]
    placements = [placement for person in people for placement in person.placements]
    _bulk_create(participants)
    _bulk_create(placements)
    _bulk_create(followups)
    content = _create_case_content(rng, people, followups, demo_coach, today)
    # Drawn last, so the consents leave the rest of the data as it was before them.
    consents = _consents(rng, people, today)
    _bulk_create(consents)
    # Sources of the annual report beside the case data; they draw on their own.
    register_rows = seed_register_outcomes(rng=random.Random(rng.random()), today=today)  # noqa: S311
    survey = seed_survey(today)

    # The demo coach is counted among the demo users, not the staff made here.
    staff = sum(len(unit_coaches) for unit_coaches in coaches.values()) - 1 + len(UNIT_MANAGERS)
    return {
        "units": len(units),
        "demo users": len(demo_users),
        "other staff (cannot log in)": staff,
        "placement targets": PlacementTarget.objects.count(),
        "workplaces": len(workplaces),
        "participants": len(participants),
        "placements": len(placements),
        "ongoing placements": sum(1 for p in placements if p.end_date is None),
        "follow-ups": len(followups),
        "registered follow-ups": sum(1 for f in followups if f.performed_on),
        **content,
        "consent decisions": len(consents),
        "SCB register rows": register_rows,
        **survey,
        "demo coach's participants": sum(1 for p in participants if p.coach_id == demo_coach.pk),
    }


def delete_demo_data() -> dict[str, int]:
    """Remove what a previous seed made, so `seed_demo --force` can start over.

    Deletes every participant with everything that hangs on them (placements,
    follow-ups, journal, activities, goals, studies, internships, wage-subsidy
    cases, consents, register outcomes), the seed's workplaces once no placement uses
    them, and the seed's staff (their e-mail ends in @jobbtorg.example). Units,
    placement targets, other workplaces and other users stay; the three demo
    users are updated in place by the next seed, never duplicated.
    """
    # A correction PROTECTs the note it corrects, so the journal goes newest
    # correction first; otherwise deleting a participant would be refused.
    notes = 0
    while deleted := CaseNote.objects.filter(corrections__isnull=True).delete()[0]:
        notes += deleted
    survey = delete_survey_data()
    participants = Participant.objects.count()
    Participant.objects.all().delete()
    workplaces, _ = Workplace.objects.filter(
        name__in=[spec.name for spec in workplace_specs()], placements__isnull=True
    ).delete()
    staff, _ = (
        User.objects.filter(email__iendswith="@" + DEMO_EMAIL_DOMAIN, is_superuser=False)
        .exclude(username__in=DEMO_USERNAMES)
        .delete()
    )
    return {
        "participants": participants,
        "workplaces": workplaces,
        "staff rows": staff,
        **survey,
    }


# --- Organisation ----------------------------------------------------------------


def _ensure_units() -> dict[str, Unit]:
    return {name: Unit.objects.get_or_create(name=name)[0] for name in UNIT_DISTRICTS}


def _ensure_demo_users(units: dict[str, Unit]) -> dict[str, User]:
    # Hashing is deliberately slow; one hash serves all three users.
    password = make_password(DEMO_PASSWORD)
    sensitive = Permission.objects.get(
        content_type__app_label="participants", codename="view_sensitive"
    )
    users = {}
    for username, first_name, last_name, role, unit_name in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
                "password": password,
                "unit": units[unit_name] if unit_name else None,
                "is_active": True,
                "is_staff": role == Role.ADMIN,
                "is_superuser": False,
            },
        )
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        user.user_permissions.set([sensitive] if username in SENSITIVE_DEMO_USERS else [])
        users[username] = user
    return users


def _create_staff(units: dict[str, Unit], demo_coach: User) -> dict[str, list[User]]:
    """Coaches and managers for every unit, none of whom can log in."""
    coach_group = Group.objects.get_or_create(name=Role.COACH)[0]
    manager_group = Group.objects.get_or_create(name=Role.MANAGER)[0]
    staff: list[tuple[User, Group]] = []
    coaches: dict[str, list[User]] = {}
    for unit_name, unit in units.items():
        coaches[unit_name] = [demo_coach] if unit_name == DEMO_UNIT else []
        for first_name, last_name in UNIT_COACHES[unit_name]:
            user = _staff_user(first_name, last_name, unit)
            coaches[unit_name].append(user)
            staff.append((user, coach_group))
        staff.append((_staff_user(*UNIT_MANAGERS[unit_name], unit), manager_group))
    _bulk_create([user for user, _ in staff])
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user, group in staff],
        batch_size=BATCH_SIZE,
    )
    return coaches


def _staff_user(first_name: str, last_name: str, unit: Unit) -> User:
    username = f"{_ascii_slug(first_name)}.{_ascii_slug(last_name)}"
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@{DEMO_EMAIL_DOMAIN}",
        unit=unit,
    )
    # Only the three demo users have a known password (DESIGN.md section 5).
    user.set_unusable_password()
    return user


def _ensure_targets(rng: random.Random, job_types: Sequence[JobType], years: Iterable[int]) -> None:
    targets = []
    for year in years:
        for job_type in job_types:
            base = PLACES_2021[job_type.code]
            if year == 2021:
                places = base
            else:
                places = round(base * TARGET_VOLUME.get(year, 1.0) * rng.uniform(0.95, 1.05))
            targets.append(PlacementTarget(job_type=job_type, year=year, places=places))
    # Existing rows win: the 2021 row comes from the migration and an admin
    # may have edited others.
    PlacementTarget.objects.bulk_create(targets, batch_size=BATCH_SIZE, ignore_conflicts=True)


def workplace_specs() -> list[WorkplaceSpec]:
    """Every workplace the seed makes; fixed, so --force can find them by name."""
    specs = []
    for index, (code, places) in enumerate(DISTRICT_WORKPLACES.items()):
        organisation = f"{_district_name(code)} stadsdelsförvaltning"
        kind = OrganisationKind.DISTRICT_ADMINISTRATION
        service, service_industry = DISTRICT_SERVICES[index % len(DISTRICT_SERVICES)]
        specs += [
            WorkplaceSpec(
                f"Förskolan {PRESCHOOLS[index]}, {places[0]}",
                organisation,
                kind,
                "Förskola",
                code,
                3,
            ),
            WorkplaceSpec(
                f"Vård- och omsorgsboendet {CARE_HOMES[index]}, {places[1]}",
                organisation,
                kind,
                "Äldreomsorg",
                code,
                3,
            ),
            WorkplaceSpec(f"{service} {places[2]}", organisation, kind, service_industry, code, 2),
        ]
    for (organisation, kind), workplaces in ORDINARY_WORKPLACES.items():
        specs += [
            WorkplaceSpec(name, organisation, kind, industry, district, weight)
            for name, industry, district, weight in workplaces
        ]
    specs += [
        WorkplaceSpec(
            name,
            ADAPTED_ORGANISATION,
            OrganisationKind.CITY_DEPARTMENT,
            industry,
            district,
            weight,
            Setting.ADAPTED,
            job_types,
        )
        for name, industry, district, weight, job_types in ADAPTED_WORKPLACES
    ]
    return specs


def _district_name(code: str) -> str:
    # Names as the districts migration loads them; kept here so that
    # workplace_specs() needs no database.
    return {
        "bromma": "Bromma",
        "enskede-arsta-vantor": "Enskede-Årsta-Vantör",
        "farsta": "Farsta",
        "hagersten-alvsjo": "Hägersten-Älvsjö",
        "hasselby-vallingby": "Hässelby-Vällingby",
        "kungsholmen": "Kungsholmen",
        "norrmalm": "Norrmalm",
        "rinkeby-kista": "Rinkeby-Kista",
        "skarpnack": "Skarpnäck",
        "skarholmen": "Skärholmen",
        "spanga-tensta": "Spånga-Tensta",
        "sodermalm": "Södermalm",
        "ostermalm": "Östermalm",
    }[code]


def _create_workplaces(districts: dict[str, District]) -> list[tuple[Workplace, WorkplaceSpec]]:
    made = []
    for index, spec in enumerate(workplace_specs()):
        first_name, last_name = CONTACT_NAMES[index % len(CONTACT_NAMES)]
        workplace = Workplace(
            name=spec.name,
            organisation=spec.organisation,
            organisation_kind=spec.kind,
            industry=spec.industry,
            setting=spec.setting,
            shortage_occupation=spec.industry in SHORTAGE_INDUSTRIES,
            district=districts.get(spec.district) if spec.district else None,
            contact_name=f"{first_name} {last_name}",
            # PTS keeps 08-46 500 400..499 for fiction.
            contact_phone=f"08-465 004 {index % 100:02d}",
            contact_email=(
                f"{_ascii_slug(first_name)}.{_ascii_slug(last_name)}"
                f"@{_ascii_slug(spec.organisation)}.example"
            ),
        )
        made.append((workplace, spec))
    _bulk_create([workplace for workplace, _ in made])
    return made


# --- Participants and placements ---------------------------------------------------


def _plan_people(
    rng: random.Random,
    options: SeedOptions,
    job_types: Sequence[JobType],
    districts: dict[str, District],
    units: dict[str, Unit],
    workplaces: Sequence[tuple[Workplace, WorkplaceSpec]],
) -> list[_Person]:
    """Participants with their placements, in start order, not yet saved."""
    today = options.today
    slots: list[tuple[datetime.date, JobType]] = []
    by_code = {job_type.code: job_type for job_type in job_types}
    for year in range(options.first_year, (options.last_year or today.year) + 1):
        volume = round(options.per_year * YEAR_VOLUME.get(year, 1.0))
        weights = {code: PLACES_2021[code] for code in by_code}
        for code, count in _split(volume, weights).items():
            slots += [(_start_date(rng, year), by_code[code]) for _ in range(count)]
    # The current year only has the starts that already happened.
    slots = sorted((slot for slot in slots if slot[0] <= today), key=lambda slot: slot[0])

    unit_of_district = {
        code: units[name] for name, codes in UNIT_DISTRICTS.items() for code in codes
    }
    district_codes = [code for code in DISTRICT_WEIGHTS if code in districts]
    district_weights = [DISTRICT_WEIGHTS[code] for code in district_codes]
    taken: set[str] = set()
    people: list[_Person] = []
    for start, job_type in slots:
        person = None
        if rng.random() < SECOND_PLACEMENT_SHARE:
            person = _returning_person(rng, people, start, job_type)
        if person is None:
            code = rng.choices(district_codes, district_weights)[0]
            participant = _new_participant(rng, job_type, start, taken)
            participant.district = districts[code]
            participant.unit = unit_of_district[code]
            person = _Person(participant)
            people.append(person)
        person.placements.append(
            _new_placement(rng, person.participant, job_type, start, workplaces, today)
        )
    return people


def _split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split a whole number in proportion to weights (largest remainder)."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: exact[key] - counts[key], reverse=True)
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _start_date(rng: random.Random, year: int) -> datetime.date:
    month = rng.choices(range(1, 13), MONTH_WEIGHTS)[0]
    days_in_month = calendar.monthrange(year, month)[1]
    while True:  # employments start on a weekday
        day = datetime.date(year, month, rng.randint(1, days_in_month))
        if day.weekday() < 5:
            return day


def _returning_person(
    rng: random.Random, people: Sequence[_Person], start: datetime.date, job_type: JobType
) -> _Person | None:
    """Someone whose only placement ended a while before `start`, if one fits."""
    if not people:
        return None
    for _ in range(25):
        person = rng.choice(people)
        end = person.last.end_date
        if (
            len(person.placements) == 1
            and end is not None
            and 14 <= (start - end).days <= 400
            and job_type.min_age <= _age(person.participant.birth_date, start) <= job_type.max_age
        ):
            return person
    return None


def _new_participant(
    rng: random.Random, job_type: JobType, start: datetime.date, taken: set[str]
) -> Participant:
    code = job_type.code
    low, high, mode = AGE_PROFILE.get(
        code, (job_type.min_age, job_type.max_age, (job_type.min_age + job_type.max_age) // 2)
    )
    age = min(max(int(rng.triangular(low, high + 1, mode)), job_type.min_age), job_type.max_age)
    # A birth date that makes the person exactly `age` on the start date.
    latest = start - relativedelta(years=age)
    earliest = start - relativedelta(years=age + 1) + datetime.timedelta(days=1)
    birth = earliest + datetime.timedelta(days=rng.randint(0, (latest - earliest).days))

    roll = rng.random()
    if roll < GENDER_OTHER:
        gender = Gender.ANNAT
    elif roll < GENDER_OTHER + WOMEN.get(code, 0.45):
        gender = Gender.KVINNA
    else:
        gender = Gender.MAN
    foreign_born = rng.random() < FOREIGN_BORN.get(code, 0.65)
    female = gender == Gender.KVINNA or (gender == Gender.ANNAT and rng.random() < 0.5)
    international = rng.random() < (0.8 if foreign_born else 0.12)
    if female:
        first_names = FEMALE_INTERNATIONAL if international else FEMALE_SWEDISH
    else:
        first_names = MALE_INTERNATIONAL if international else MALE_SWEDISH
    last_names = LAST_INTERNATIONAL if international else LAST_SWEDISH
    coordination = foreign_born and rng.random() < COORDINATION_NUMBER_SHARE

    return Participant(
        personnummer=_personnummer(rng, birth, gender, coordination, taken),
        first_name=rng.choice(first_names),
        last_name=rng.choice(last_names),
        gender=gender,
        birth_date=birth,
        enrolled_on=start - datetime.timedelta(days=rng.randint(14, 120)),
        foreign_born=foreign_born,
        education_level=rng.choices(
            [
                EducationLevel.PRIMARY,
                EducationLevel.SECONDARY,
                EducationLevel.TERTIARY,
                EducationLevel.UNKNOWN,
            ],
            EDUCATION.get(code, (45, 35, 10, 10)),
        )[0],
        months_social_assistance_before=_months_before(rng, SOCIAL_ASSISTANCE.get(code)),
        months_unemployed_before=_months_before(rng, UNEMPLOYMENT.get(code)),
        disability=_disability(rng, code),
    )


def _personnummer(
    rng: random.Random, birth: datetime.date, gender: str, coordination: bool, taken: set[str]
) -> str:
    day = birth.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    while True:
        # The serial's last digit records legal sex: even for women.
        if gender == Gender.KVINNA:
            sex_digit = rng.choice((0, 2, 4, 6, 8))
        elif gender == Gender.MAN:
            sex_digit = rng.choice((1, 3, 5, 7, 9))
        else:
            sex_digit = rng.randrange(10)
        serial = rng.randrange(1, 100) * 10 + sex_digit
        date_part = f"{birth:%m}{day:02d}"
        number = f"{birth:%Y}{date_part}{serial:03d}"
        number += str(luhn_check_digit(f"{birth:%y}{date_part}{serial:03d}"))
        if number not in taken:
            taken.add(number)
            return number


def _months_before(rng: random.Random, profile: tuple[float, int] | None) -> int | None:
    share_none, median = profile or (0.1, 12)
    roll = rng.random()
    if roll < 0.04:
        return None  # not recorded
    if roll < 0.04 + share_none:
        return 0
    return min(180, max(1, round(rng.lognormvariate(math.log(median), 0.6))))


def _disability(rng: random.Random, code: str) -> bool | None:
    if code == "serviceassistent":
        return True  # the job type is for people with a disability
    roll = rng.random()
    return None if roll < 0.55 else roll > 0.97


def _new_placement(
    rng: random.Random,
    participant: Participant,
    job_type: JobType,
    start: datetime.date,
    workplaces: Sequence[tuple[Workplace, WorkplaceSpec]],
    today: datetime.date,
) -> Placement:
    code = job_type.code
    lengths = LENGTHS.get(code, ((job_type.max_months, 1),))
    months = rng.choices([m for m, _ in lengths], [w for _, w in lengths])[0]
    months = min(max(months, job_type.min_months), job_type.max_months)
    planned_end = start + relativedelta(months=months) - datetime.timedelta(days=1)
    extended_on = None
    if rng.random() < EARLY_END.get(code, 0.15):
        length = (planned_end - start).days
        end = start + datetime.timedelta(days=rng.randint(30, max(31, length - 15)))
        reason = rng.choices(list(EARLY_END_REASONS), list(EARLY_END_REASONS.values()))[0]
    else:
        if job_type.extendable and rng.random() < STOCKHOLMSVARD_EXTENDED:
            # Decided some weeks before the original end, which cannot be in the future.
            decided = planned_end - datetime.timedelta(days=rng.randint(14, 45))
            if decided <= today:
                extended_on = decided
                planned_end += relativedelta(months=rng.choice((2, 3, 6)))
        end, reason = planned_end, EndReason.COMPLETED
    ongoing = end > today

    funding = Funding.SDF
    if code == "basanstallning" and rng.random() < AMF_SHARE_OF_BASANSTALLNING:
        funding = Funding.AMF
    return Placement(
        participant=participant,
        job_type=job_type,
        workplace=_pick_workplace(rng, job_type, participant, workplaces),
        funding=funding,
        start_date=start,
        planned_end_date=planned_end,
        extended_on=extended_on,
        end_date=None if ongoing else end,
        end_reason="" if ongoing else reason,
    )


def _pick_workplace(
    rng: random.Random,
    job_type: JobType,
    participant: Participant,
    workplaces: Sequence[tuple[Workplace, WorkplaceSpec]],
) -> Workplace:
    candidates, weights = [], []
    preference = INDUSTRY_PREFERENCE.get(job_type.code, {})
    for workplace, spec in workplaces:
        if job_type.code not in spec.job_types:
            continue
        weight = spec.weight * preference.get(spec.industry, 1.0)
        if spec.district and spec.district == participant.district.code:
            weight *= 3  # most people work near home
        candidates.append(workplace)
        weights.append(weight)
    return rng.choices(candidates, weights)[0]


def _age(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- Coaches and follow-ups -------------------------------------------------------------


def _assign_coaches(
    rng: random.Random,
    people: Sequence[_Person],
    coaches: dict[str, list[User]],
    demo_coach: User,
    today: datetime.date,
) -> None:
    """A coach of the person's unit; the demo coach gets a live caseload."""
    recent_since = today - datetime.timedelta(days=183)
    for person in people:
        participant = person.participant
        unit_coaches = coaches[participant.unit.name]
        if demo_coach not in unit_coaches:
            participant.coach = rng.choice(unit_coaches)
            continue
        end = person.last.end_date
        recent = end is None or end >= recent_since
        share = DEMO_COACH_RECENT_SHARE if recent else DEMO_COACH_OLDER_SHARE
        if rng.random() < share:
            participant.coach = demo_coach
        else:
            participant.coach = rng.choice([c for c in unit_coaches if c is not demo_coach])


def _give_demo_coach_open_followups(
    rng: random.Random, people: Sequence[_Person], demo_coach: User, today: datetime.date
) -> set[int]:
    """Make sure the demo coach has follow-ups due this week and some overdue.

    Returns the ids (Python `id()`) of placements whose follow-up must stay
    unregistered. The unit's follow-ups in each window go to the demo coach
    first; when the unit has too few, ongoing placements end early instead.
    """
    day = datetime.timedelta(days=1)
    unit_people = [p for p in people if p.participant.unit.name == DEMO_UNIT]
    keep_open: set[int] = set()
    for first, last in ((today, today + 7 * day), (today - 25 * day, today - day)):
        in_window = [
            p
            for p in unit_people
            if p.last.end_date and first <= follow_up_due_date(p.last.end_date) <= last
        ]
        rng.shuffle(in_window)
        in_window.sort(key=lambda p: p.participant.coach is not demo_coach)
        chosen = in_window[:MIN_OPEN_FOR_DEMO_COACH]
        ongoing = [p for p in unit_people if p.last.end_date is None]
        rng.shuffle(ongoing)
        while len(chosen) < MIN_OPEN_FOR_DEMO_COACH and ongoing:
            person = ongoing.pop()
            if _end_early_for_due_date(rng, person.last, first, last):
                chosen.append(person)
        for person in chosen:
            person.participant.coach = demo_coach
            keep_open.add(id(person.last))
    return keep_open


def _end_early_for_due_date(
    rng: random.Random, placement: Placement, first: datetime.date, last: datetime.date
) -> bool:
    due = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
    end = due - relativedelta(months=3)
    if not first <= follow_up_due_date(end) <= last:
        return False
    if (end - placement.start_date).days < 30:
        return False
    if placement.extended_on and placement.extended_on > end:
        return False
    placement.end_date = end
    placement.end_reason = rng.choice([EndReason.WORK, EndReason.OWN_REQUEST, EndReason.OTHER])
    return True


def _plan_followups(
    rng: random.Random, people: Sequence[_Person], today: datetime.date, keep_open: set[int]
) -> list[FollowUp]:
    """One follow-up per ended placement; most of those already due are registered."""
    followups = []
    recent = today - datetime.timedelta(days=RECENT_DAYS)
    for person in people:
        for placement in person.placements:
            if placement.end_date is None:
                continue
            due = follow_up_due_date(placement.end_date)
            followup = FollowUp(placement=placement, due_date=due)
            chance = REGISTERED_OLD if due < recent else REGISTERED_RECENT
            if due < today and id(placement) not in keep_open and rng.random() < chance:
                performed = due + datetime.timedelta(days=rng.randint(-5, 7))
                followup.performed_on = min(performed, today)
                followup.performed_by = person.participant.coach
            followups.append(followup)
    return followups


def _period_weights(end: datetime.date) -> tuple[float, float, float]:
    """How much of (before the drop, the drop, the recovery) a month of ends is.

    Before mid-2019 nothing has dropped; July and August 2019 slide into
    the drop that covers September 2019 to December 2020; 2021 climbs back.
    """
    month = end.year * 12 + end.month - 1
    drop_starts, drop_full = 2019 * 12 + 6, 2019 * 12 + 8
    recovery_starts, recovery_full = 2021 * 12, 2021 * 12 + 11
    if month < drop_starts:
        return 1.0, 0.0, 0.0
    if month < drop_full:
        into = (month - drop_starts + 1) / (drop_full - drop_starts + 1)
        return 1 - into, into, 0.0
    if month < recovery_starts:
        return 0.0, 1.0, 0.0
    if month < recovery_full:
        into = (month - recovery_starts + 1) / (recovery_full - recovery_starts + 1)
        return 0.0, 1 - into, into
    return 0.0, 0.0, 1.0


def _success_share(end: datetime.date, gender: str) -> float:
    """The planned share working or studying for placements ending in `end`'s month."""
    pre, drop, recovered = _period_weights(end)
    return pre * PRE_DROP[gender] + drop * DROP[gender] + recovered * RECOVERED[gender]


def _assign_outcomes(rng: random.Random, registered: Sequence[FollowUp]) -> None:
    """Give registered follow-ups outcomes that hit the planned shares.

    Per gender and month of end, the number working or studying is the
    planned share of the month's follow-ups, with the rounding carried to the
    next month; any window of months is then within one person of the plan.
    Who succeeds is drawn at random, weighted so young people and those who
    left for work or studies succeed more often.
    """
    by_gender: dict[str, list[FollowUp]] = defaultdict(list)
    for followup in registered:
        by_gender[followup.placement.participant.gender].append(followup)
    for gender, followups in by_gender.items():
        followups.sort(key=lambda f: f.placement.end_date)
        carry = 0.0
        for (year, month), group in groupby(
            followups, key=lambda f: (f.placement.end_date.year, f.placement.end_date.month)
        ):
            group = list(group)
            month_start = datetime.date(year, month, 1)
            expected = _success_share(month_start, gender) * len(group) + carry
            successes = min(len(group), max(0, math.floor(expected + 0.5)))
            carry = expected - successes
            for followup in _weighted_sample(rng, group, successes):
                followup.outcome = _success_outcome(rng, followup.placement)
            for followup in group:
                if not followup.outcome:
                    followup.outcome = _failure_outcome(rng, followup.placement, gender)
                followup.employer_or_school = _employer_or_school(rng, followup)
                if followup.outcome == Outcome.NOT_REACHED and rng.random() < 0.5:
                    followup.note = "Nåddes inte på telefon eller sms trots tre försök."


def _weighted_sample(rng: random.Random, items: Sequence[FollowUp], k: int) -> list[FollowUp]:
    # Efraimidis-Spirakis: the k largest u ** (1 / weight) are a weighted
    # sample without replacement.
    def key(followup: FollowUp) -> float:
        placement = followup.placement
        weight = SUCCESS_WEIGHT_BY_JOB_TYPE.get(placement.job_type.code, 1.0)
        weight *= SUCCESS_WEIGHT_BY_END_REASON.get(placement.end_reason, 1.0)
        return rng.random() ** (1 / weight)

    keyed = [(key(item), index) for index, item in enumerate(items)]
    return [items[index] for _, index in sorted(keyed, reverse=True)[:k]]


def _success_outcome(rng: random.Random, placement: Placement) -> str:
    if placement.end_reason == EndReason.STUDIES:
        return Outcome.STUDIES
    if placement.end_reason == EndReason.WORK:
        return Outcome.WORK_UNSUBSIDISED if rng.random() < 0.7 else Outcome.WORK_SUBSIDISED
    periods = _period_weights(placement.end_date)
    mixes = (PRE_DROP_MIX, DROP_MIX, RECOVERED_MIX)
    mix = [sum(w * m[i] for w, m in zip(periods, mixes, strict=True)) for i in range(3)]
    outcomes = [Outcome.WORK_UNSUBSIDISED, Outcome.WORK_SUBSIDISED, Outcome.STUDIES]
    return rng.choices(outcomes, mix)[0]


def _failure_outcome(rng: random.Random, placement: Placement, gender: str) -> str:
    weights = dict(FAILURE_OUTCOMES)
    if gender == Gender.KVINNA:
        weights[Outcome.PARENTAL_LEAVE] *= 2
    elif gender == Gender.MAN:
        weights[Outcome.PARENTAL_LEAVE] //= 2
    if placement.end_reason == EndReason.ILLNESS:
        weights[Outcome.SICK_LEAVE] *= 4
    if _period_weights(placement.end_date)[1]:
        weights[Outcome.JOB_SEEKER] += 10  # fewer vacancies in 2020
    return rng.choices(list(weights), list(weights.values()))[0]


def _employer_or_school(rng: random.Random, followup: FollowUp) -> str:
    if rng.random() < 0.15:
        return ""
    if followup.outcome in (Outcome.WORK_UNSUBSIDISED, Outcome.WORK_SUBSIDISED):
        # Many stay on where they had their Stockholmsjobb.
        if rng.random() < 0.35:
            return followup.placement.workplace.name
        return rng.choice(EMPLOYERS)
    if followup.outcome == Outcome.STUDIES:
        return rng.choice(SCHOOLS)
    return ""


# --- Case content ----------------------------------------------------------------


def _create_case_content(
    rng: random.Random,
    people: Sequence[_Person],
    followups: Sequence[FollowUp],
    demo_coach: User,
    today: datetime.date,
) -> dict[str, int]:
    """Journal, activities, goals, studies, internships and wage-subsidy cases.

    Every participant of the demo coach gets them, plus a sample of others;
    every subsidised job found at follow-up gets its granted wage-subsidy case.
    """
    notes: list[tuple[CaseNote, datetime.datetime]] = []
    corrections: list[tuple[CaseNote, datetime.datetime]] = []
    activities: list[SupportActivity] = []
    goals: list[LearningGoal] = []
    studies: list[Study] = []
    internships: list[Internship] = []
    subsidies: list[WageSubsidyCase] = []
    for person in people:
        if person.participant.coach is demo_coach or rng.random() < CONTENT_SAMPLE_SHARE:
            person_notes = _notes(rng, person, today)
            notes += [(note, written) for note, written, _ in person_notes]
            during = [
                (note, written) for note, written, phase in person_notes if phase == Phase.DURING
            ]
            # At least one correction, so the journal shows how they look.
            if during and (not corrections or rng.random() < CORRECTION_SHARE):
                corrections.append(_correction(rng, person, *during[0], today))
            activities += _activities(rng, person, today)
            goals += _goals(rng, person, today)
            studies += _studies(rng, person, today)
            internships += _internships(rng, person, today)
            subsidies += _other_subsidy_cases(rng, person, today)
    for followup in followups:
        if followup.outcome == Outcome.WORK_SUBSIDISED:
            subsidies.append(_granted_subsidy(rng, followup, today))

    # A correction points at its original, so originals are saved first.
    _bulk_create([note for note, _ in notes])
    _bulk_create([note for note, _ in corrections])
    # created_at is auto_now_add: the dates the notes were written go in afterwards.
    dated = notes + corrections
    for note, written in dated:
        note.created_at = written
    CaseNote.objects.bulk_update([note for note, _ in dated], ["created_at"], batch_size=BATCH_SIZE)
    for rows in (activities, goals, studies, internships, subsidies):
        _bulk_create(rows)
    return {
        "case notes": len(dated),
        "support activities": len(activities),
        "learning goals": len(goals),
        "studies": len(studies),
        "internships": len(internships),
        "wage-subsidy cases": len(subsidies),
    }


def _consents(rng: random.Random, people: Sequence[_Person], today: datetime.date) -> list[Consent]:
    """Decisions taken at enrolment, recorded by the coach, and a few later withdrawals."""
    rows: list[Consent] = []
    for person in people:
        participant = person.participant
        enrolled = participant.enrolled_on
        decisions: list[tuple[str, bool, datetime.date]] = []
        if (
            participant.months_social_assistance_before is not None
            or rng.random() < DISTRICT_CONSENT_WITHOUT_FIGURE
        ):
            decisions.append((ConsentFlow.DISTRICT, True, enrolled))
        roll = rng.random()
        if roll < NO_SCB_CONSENT_SHARE / 2:
            decisions.append((ConsentFlow.SCB, False, enrolled))  # refused
        elif roll >= NO_SCB_CONSENT_SHARE:  # otherwise never asked: no row
            decisions.append((ConsentFlow.SCB, True, enrolled))
        earliest = enrolled + datetime.timedelta(days=30)
        for flow, given, _day in list(decisions):
            if given and earliest <= today and rng.random() < WITHDRAWAL_SHARE:
                day = earliest + datetime.timedelta(days=rng.randint(0, (today - earliest).days))
                decisions.append((flow, False, day))
        rows += [
            Consent(
                participant=participant,
                flow=flow,
                given=given,
                decided_on=day,
                recorded_by=participant.coach,
            )
            for flow, given, day in decisions
        ]
    return rows


def _text_fields(person: _Person, placement: Placement) -> dict[str, str]:
    return {
        "first": person.participant.first_name,
        "workplace": placement.workplace.name,
        "industry": placement.workplace.industry.lower(),
        "job_type": placement.job_type.name.lower(),
        "start": f"{placement.start_date:%Y-%m-%d}",
    }


def _written_at(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """Some time in office hours on `day`."""
    written = datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)))
    return timezone.make_aware(written)


def _notes(
    rng: random.Random, person: _Person, today: datetime.date
) -> list[tuple[CaseNote, datetime.datetime, str]]:
    """The journal of the first placement: (note, written at, phase)."""
    first = person.placements[0]
    fields = _text_fields(person, first)
    day = datetime.timedelta(days=1)
    planned = [
        (rng.choice(NOTES_BEFORE), person.participant.enrolled_on, Phase.BEFORE),
        (NOTE_MATCHING, first.start_date - rng.randint(5, 12) * day, Phase.BEFORE),
    ]
    end = first.end_date or today
    for text in rng.sample(NOTES_DURING, rng.randint(1, 3)):
        written = first.start_date + rng.randint(20, max(21, (end - first.start_date).days)) * day
        planned.append((text, min(written, end), Phase.DURING))
    if first.end_date:
        planned.append((NOTE_AFTER, first.end_date + rng.randint(1, 10) * day, Phase.AFTER))
    planned.sort(key=lambda item: item[1])
    coach = person.participant.coach
    return [
        (
            CaseNote(participant=person.participant, author=coach, text=text.format(**fields)),
            _written_at(rng, written),
            phase,
        )
        for text, written, phase in planned
        if written <= today
    ]


def _correction(
    rng: random.Random,
    person: _Person,
    original: CaseNote,
    original_written: datetime.datetime,
    today: datetime.date,
) -> tuple[CaseNote, datetime.datetime]:
    written_on = original_written.date() + datetime.timedelta(days=rng.randint(1, 4))
    # Never in the future, and always after the note it corrects.
    written = max(
        _written_at(rng, min(written_on, today)), original_written + datetime.timedelta(minutes=5)
    )
    text = NOTE_CORRECTION.format(
        date=f"{original_written:%Y-%m-%d}", workplace=person.placements[0].workplace.name
    )
    correction = CaseNote(
        participant=person.participant,
        author=person.participant.coach,
        text=text,
        corrects=original,
    )
    return correction, written


def _activities(rng: random.Random, person: _Person, today: datetime.date) -> list[SupportActivity]:
    first = person.placements[0]
    enrolled = person.participant.enrolled_on
    day = datetime.timedelta(days=1)
    planned = [
        (Phase.BEFORE, ActivityKind.INTRODUCTION, enrolled),
        (Phase.BEFORE, ActivityKind.MAPPING, enrolled + rng.randint(5, 12) * day),
        (Phase.BEFORE, ActivityKind.MATCHING, first.start_date - rng.randint(5, 12) * day),
    ]
    if rng.random() < 0.3:
        planned.append((Phase.BEFORE, ActivityKind.STUDY_PLANNING, enrolled + 14 * day))
    if rng.random() < 0.2:
        planned.append((Phase.BEFORE, ActivityKind.INITIAL_INTERNSHIP, enrolled + 21 * day))
    end = first.end_date or first.planned_end_date or today
    talk = first.start_date + rng.randint(20, 40) * day
    while talk < end and len(planned) < 8:
        planned.append((Phase.DURING, ActivityKind.COACHING_TALK, talk))
        talk += rng.randint(45, 75) * day
    for kind in (ActivityKind.COURSE, ActivityKind.GUIDANCE, ActivityKind.JOB_SEARCH):
        if rng.random() < 0.35:
            written = (
                first.start_date + rng.randint(30, max(31, (end - first.start_date).days)) * day
            )
            planned.append((Phase.DURING, kind, min(written, end)))
    if first.end_date:
        planned.append(
            (Phase.AFTER, ActivityKind.JOB_SEARCH, first.end_date + rng.randint(7, 30) * day)
        )
        if rng.random() < 0.4:
            planned.append(
                (Phase.AFTER, ActivityKind.GUIDANCE, first.end_date + rng.randint(20, 60) * day)
            )
    return [
        SupportActivity(
            participant=person.participant,
            placement=None if phase == Phase.BEFORE else first,
            phase=phase,
            kind=kind,
            date=when,
            recorded_by=person.participant.coach,
        )
        for phase, kind, when in planned
        if when <= today
    ]


def _goals(rng: random.Random, person: _Person, today: datetime.date) -> list[LearningGoal]:
    first = person.placements[0]
    goals = []
    for description in rng.sample(GOALS, rng.randint(1, 2)):
        target = first.planned_end_date or first.start_date + relativedelta(months=6)
        if first.end_date:
            status = GoalStatus.REACHED if rng.random() < 0.6 else GoalStatus.NOT_REACHED
            reviewed, next_review = first.end_date, None
        else:
            started_lately = (today - first.start_date).days < 30
            status = GoalStatus.PLANNED if started_lately else GoalStatus.IN_PROGRESS
            reviewed = max(first.start_date, today - datetime.timedelta(days=rng.randint(5, 60)))
            next_review = reviewed + relativedelta(months=2)
        goals.append(
            LearningGoal(
                participant=person.participant,
                placement=first,
                description=description,
                target_industry=first.workplace.industry,
                target_date=target,
                status=status,
                reviewed_on=reviewed,
                next_review_on=next_review,
            )
        )
    return goals


def _studies(rng: random.Random, person: _Person, today: datetime.date) -> list[Study]:
    first = person.placements[0]
    start = first.start_date + datetime.timedelta(days=rng.randint(14, 90))
    if rng.random() > 0.3 or start > today or (first.end_date and start >= first.end_date):
        return []
    if person.participant.foreign_born and rng.random() < 0.5:
        kind = StudyKind.SFI
    else:
        kind = rng.choice(
            [StudyKind.BASIC_ADULT, StudyKind.UPPER_SECONDARY_ADULT, StudyKind.VOCATIONAL]
        )
    course, provider = rng.choice(STUDY_COURSES[kind])
    end = start + relativedelta(months=rng.randint(2, 6))
    if first.end_date:
        end = min(end, first.end_date)
    finished = end <= today
    return [
        Study(
            participant=person.participant,
            placement=first,
            kind=kind,
            course=course,
            provider=provider,
            start_date=start,
            end_date=end if finished else None,
            extent_percent=rng.choice((10, 20, 25, 30, 40, 50)),
            completed=(rng.random() < 0.75) if finished else None,
        )
    ]


def _internships(rng: random.Random, person: _Person, today: datetime.date) -> list[Internship]:
    first = person.placements[0]
    start = first.start_date + datetime.timedelta(days=rng.randint(30, 150))
    end = start + datetime.timedelta(days=rng.randint(4, 27))  # at most four weeks
    if rng.random() > 0.15 or end > today or (first.end_date and end > first.end_date):
        return []
    employer, occupation = rng.choice(INTERNSHIP_EMPLOYERS)
    return [
        Internship(
            participant=person.participant,
            placement=first,
            employer=employer,
            occupation=occupation,
            start_date=start,
            end_date=end,
        )
    ]


def _processing_days(rng: random.Random, applied: datetime.date) -> int:
    # Arbetsförmedlingen took longer to decide from 2020.
    if applied.year < 2020:
        return rng.randint(20, 70)
    if applied.year < 2022:
        return rng.randint(45, 120)
    return rng.randint(30, 100)


def _granted_subsidy(
    rng: random.Random, followup: FollowUp, today: datetime.date
) -> WageSubsidyCase:
    placement = followup.placement
    applied = placement.end_date - datetime.timedelta(days=rng.randint(0, 45))
    decided = applied + datetime.timedelta(days=_processing_days(rng, applied))
    return WageSubsidyCase(
        participant=placement.participant,
        placement=placement,
        kind=rng.choices(
            [SubsidyKind.WAGE_SUBSIDY, SubsidyKind.NEW_START_JOB, SubsidyKind.INTRODUCTION_JOB],
            [5, 3, 2],
        )[0],
        employer=followup.employer_or_school or placement.workplace.name,
        applied_on=applied,
        decided_on=decided if decided <= today else None,
        outcome=SubsidyOutcome.GRANTED if decided <= today else SubsidyOutcome.PENDING,
    )


def _other_subsidy_cases(
    rng: random.Random, person: _Person, today: datetime.date
) -> list[WageSubsidyCase]:
    """Cases that did not (or not yet) lead to a job: rejected, withdrawn, pending."""
    placement = person.last
    end = placement.end_date or placement.planned_end_date
    if end is None or rng.random() > 0.12:
        return []
    applied = end - datetime.timedelta(days=rng.randint(10, 60))
    if applied > today:
        return []
    decided = applied + datetime.timedelta(days=_processing_days(rng, applied))
    if decided > today:
        outcome, decided_on = SubsidyOutcome.PENDING, None
    elif rng.random() < 0.35:
        outcome, decided_on = SubsidyOutcome.WITHDRAWN, None
    else:
        outcome, decided_on = SubsidyOutcome.REJECTED, decided
    return [
        WageSubsidyCase(
            participant=person.participant,
            placement=placement,
            employer=placement.workplace.name,
            applied_on=applied,
            decided_on=decided_on,
            outcome=outcome,
        )
    ]


# --- Helpers ----------------------------------------------------------------------


def _bulk_create(rows: Sequence[Model]) -> None:
    if rows:
        type(rows[0]).objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _ascii_slug(text: str) -> str:
    """`Öberg` -> `oberg`, `Stockholm Vatten och Avfall` -> `stockholm-vatten-och-avfall`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())
