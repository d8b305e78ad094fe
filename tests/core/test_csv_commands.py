"""The CSV-import command contract (core.csv_commands)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_database_refusal_during_an_import_prints_no_personnummer():
    from django.core.management.base import BaseCommand, CommandError
    from django.db import IntegrityError

    from core.csv_commands import run_csv_import

    def run():
        raise IntegrityError(
            'duplicate key value violates unique constraint "participant_personnummer"\n'
            "DETAIL:  Key (personnummer)=(198507099805) already exists."
        )

    with pytest.raises(CommandError) as failure:
        run_csv_import(BaseCommand(), run)

    assert "1985070" not in str(failure.value)
    assert "IntegrityError" in str(failure.value)


def test_a_page_lists_the_first_hundred_problems_and_counts_the_rest(client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories import AdminFactory

    client.force_login(AdminFactory())
    client.cookies["django_language"] = "en"
    rows = "".join(f"1985070{n:05d},2019,nonsense\n" for n in range(250))
    upload = SimpleUploadedFile(
        "extract.csv", ("personnummer,year,income_source\n" + rows).encode(), "text/csv"
    )

    response = client.post(reverse("annual:scb_import"), {"file": upload})

    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("<li>row ") == 100
    import re

    # Two problems a row (the check digit and the income source): 500, 100 of them listed.
    assert re.findall(r"…and \d+ more problems?\.", html) == ["…and 400 more problems."]
