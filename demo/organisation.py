"""The demo's organisation: the Jobbtorg units, the three demo users and the other staff.

Only the demo users `coach`, `manager` and `admin` can log in, with the
password `stockholm` (DESIGN.md section 5); the other staff have no usable
password. Every e-mail address uses the reserved `.example` top-level domain.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission

from accounts.models import Role, User
from demo.common import BATCH_SIZE, ascii_slug, bulk_create
from participants.models import Unit

DEMO_PASSWORD = "stockholm"  # noqa: S105 - DESIGN.md section 5: the demo users' known password
DEMO_USERNAMES = ("coach", "manager", "admin")
# Staff made by the seed are recognised by this domain when --force clears them.
# `.example` is reserved (RFC 2606), so no real address can end with it.
DEMO_EMAIL_DOMAIN = "jobbtorg.example"

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

# Disability is shown only with an explicit permission, granted per user
# (never through a role's group): the demo coach and the demo admin have it,
# so the demo shows both sides; the demo manager and the other staff do not.
SENSITIVE_DEMO_USERS = ("coach", "admin")

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


def ensure_units() -> dict[str, Unit]:
    return {name: Unit.objects.get_or_create(name=name)[0] for name in UNIT_DISTRICTS}


def ensure_demo_users(units: dict[str, Unit]) -> dict[str, User]:
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


def create_staff(units: dict[str, Unit], demo_coach: User) -> dict[str, list[User]]:
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
    bulk_create([user for user, _ in staff])
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user, group in staff],
        batch_size=BATCH_SIZE,
    )
    return coaches


def _staff_user(first_name: str, last_name: str, unit: Unit) -> User:
    username = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}"
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
