"""The demo's workplaces: district administrations, city departments and
companies, procured suppliers, private employers and the labour market
administration's adapted workplaces, and which of them a placement goes to.

The contacts' phone numbers are in the range PTS keeps for fiction.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from demo.common import ascii_slug, bulk_create
from demo.names import CONTACT_NAMES
from participants.models import District, Participant
from placements.models import JobType, OrganisationKind, Setting, Workplace

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


def create_workplaces(districts: dict[str, District]) -> list[tuple[Workplace, WorkplaceSpec]]:
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
                f"{ascii_slug(first_name)}.{ascii_slug(last_name)}"
                f"@{ascii_slug(spec.organisation)}.example"
            ),
        )
        made.append((workplace, spec))
    bulk_create([workplace for workplace, _ in made])
    return made


def pick_workplace(
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
