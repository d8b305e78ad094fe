"""The SCB extract is read as a stream, from a path or an upload spooled to disk."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import override_settings
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from core import csv_files, spool
from core.csv_files import ImportFailed
from followup import register
from followup.models import RegisterOutcome
from followup.register import import_register_outcomes
from tests.factories import AdminFactory, ConsentFactory, ParticipantFactory, make_personnummer
from tests.helpers.files import BlockReader

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 25)
YEARS = (2017, 2020, 2021)


@pytest.fixture
def consenting():
    """Forty participants with consent to the SCB flow."""
    people = [
        ParticipantFactory(personnummer=make_personnummer(D(1980, 1, 1), serial))
        for serial in range(100, 140)
    ]
    for participant in people:
        ConsentFactory(participant=participant, flow="scb", given=True, decided_on=D(2020, 1, 1))
    return people


def extract(people, years=YEARS) -> bytes:
    """Each person's years, one year at a time: a person's rows far apart."""
    lines = ["personnummer;year;income_source"]
    for year in years:
        lines += [f"{person.personnummer};{year};forvarvsarbete" for person in people]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def test_an_extract_is_read_a_block_at_a_time_and_stored(consenting, monkeypatch):
    monkeypatch.setattr(spool, "IN_MEMORY", 10)
    stream = BlockReader(extract(consenting))

    result = import_register_outcomes(stream, today=TODAY)

    assert (result.rows, result.stored, result.years) == (120, 120, YEARS)
    assert RegisterOutcome.objects.count() == 120
    assert max(stream.sizes) <= csv_files.READ_SIZE
    logged = AccessLogEntry.objects.filter(action=Action.BULK_CHANGE, participant_id__isnull=False)
    assert sorted(logged.values_list("participant_id", flat=True)) == sorted(
        person.pk for person in consenting
    )


def test_a_repeated_person_and_year_far_apart_is_named_in_row_order(consenting, monkeypatch):
    monkeypatch.setattr(spool, "IN_MEMORY", 10)
    monkeypatch.setattr(register, "LOOKUP_CHUNK", 7)
    data = extract(consenting, years=(2020, 2021, 2020))

    with pytest.raises(ImportFailed) as failure:
        import_register_outcomes(io.BytesIO(data), today=TODAY)

    messages = [str(error) for error in failure.value.errors]
    assert messages == [
        f"row {82 + n}: personnummer: the same person and year as row {2 + n}" for n in range(40)
    ]
    assert not RegisterOutcome.objects.exists()


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_uploaded_extract_spooled_to_disk_is_read_a_block_at_a_time(
    client, consenting, monkeypatch
):
    data = extract(consenting)
    assert len(data) > 1024
    sizes = []

    def read_in_blocks(self):
        def read(size=-1):
            if size is None or size < 0:
                raise AssertionError("the whole upload was read at once")
            sizes.append(size)
            return self.file.read(size)

        return read

    monkeypatch.setattr(TemporaryUploadedFile, "read", property(read_in_blocks))
    client.force_login(AdminFactory())
    upload = io.BytesIO(data)
    upload.name = "scb.csv"

    response = client.post(reverse("annual:scb_import"), {"file": upload})

    assert response.status_code == 302
    assert RegisterOutcome.objects.count() == 120
    # Django spooled the upload to a temporary file, and the import read it in blocks.
    assert sizes and max(sizes) <= csv_files.READ_SIZE
