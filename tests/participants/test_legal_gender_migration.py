"""Migrating to legal gender: the personnummer decides, and nothing a person said is lost."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_personnummer

BEFORE = [("participants", "0007_consent_and_sensitive_permission")]
WOMAN = make_personnummer(datetime.date(1980, 1, 1), 124)  # even: kvinna
MAN = make_personnummer(datetime.date(1981, 2, 2), 357)  # odd: man


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_stored_genders_become_legal_gender_and_other_values_move_to_the_self_description():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    unit = old.get_model("participants", "Unit").objects.create(name="Migreringsenheten")
    Participant = old.get_model("participants", "Participant")
    rows = {
        "agrees": (WOMAN, "kvinna"),
        "annat": (MAN, "annat"),
        "disagrees": (make_personnummer(datetime.date(1982, 3, 3), 246), "man"),
        "agrees-man": (make_personnummer(datetime.date(1983, 4, 4), 579), "man"),
        "disagrees-woman": (make_personnummer(datetime.date(1984, 5, 5), 111), "kvinna"),
    }
    for name, (number, gender) in rows.items():
        Participant.objects.create(
            personnummer=number,
            first_name=name,
            last_name="Test",
            gender=gender,
            birth_date=datetime.date(1980, 1, 1),
            unit=unit,
            enrolled_on=datetime.date(2020, 1, 1),
        )

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    migrated = {
        p.first_name: (p.gender, p.gender_self_described)
        for p in new.get_model("participants", "Participant").objects.all()
    }
    assert migrated == {
        "agrees": ("kvinna", ""),
        "annat": ("man", "Annat"),
        "disagrees": ("kvinna", "Man"),
        "agrees-man": ("man", ""),
        "disagrees-woman": ("man", "Kvinna"),
    }
