"""The placements import reads its file as a stream: memory stays flat as the rows grow."""

import csv
import datetime
import gc
import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import override_settings

from audit import services as audit_services
from casework import placement_import
from casework.placement_csv import COLUMNS
from casework.placement_import import ImportFailed, import_placements
from core import csv_files, spool
from followup.models import FollowUp
from participants.models import Participant
from placements.models import Placement
from tests.factories import make_personnummer
from tests.helpers.files import BlockReader

pytestmark = pytest.mark.django_db

D = datetime.date


def placements_file(people: int, *, offset: int = 0) -> bytes:
    """Two placements per person, every person's first before anyone's second."""
    rows = []
    for turn in range(2):
        for n in range(offset, offset + people):
            start = D(2019, 1, 1) if turn == 0 else D(2020, 2, 1)
            rows.append(
                {
                    "personnummer": make_personnummer(
                        D(1970, 1, 1) + datetime.timedelta(days=n // 500), n
                    ),
                    "first_name": "Test",
                    "last_name": f"Person {n}",
                    "job_type": "basanstallning",
                    "workplace": f"Arbetsplats {n % 13}",
                    "start_date": start.isoformat(),
                    "end_date": "2019-12-31" if turn == 0 else "",
                    "followup_date": "2020-03-31" if turn == 0 and n % 2 else "",
                    "followup_outcome": "studier" if turn == 0 and n % 2 else "",
                }
            )
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + text.getvalue()).encode()


def test_import_reads_the_file_a_block_at_a_time_and_imports_it():
    stream = BlockReader(placements_file(1500))

    result = import_placements(stream)

    assert (result.rows, result.participants_created, result.placements_created) == (
        3000,
        1500,
        3000,
    )
    assert result.followups_registered == 750
    assert FollowUp.objects.count() == 1500
    assert len(stream.sizes) > 1
    assert max(stream.sizes) <= csv_files.READ_SIZE


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_upload_spooled_to_disk_is_imported_a_block_at_a_time(monkeypatch):
    data = placements_file(500)
    upload = TemporaryUploadedFile("placements.csv", "text/csv", len(data), None)
    upload.write(data)
    upload.seek(0)
    sizes = []

    def read_in_blocks(self):
        def read(size=-1):
            if size is None or size < 0:
                raise AssertionError("the whole upload was read at once")
            sizes.append(size)
            return self.file.read(size)

        return read

    monkeypatch.setattr(TemporaryUploadedFile, "read", property(read_in_blocks))

    result = import_placements(upload)

    assert (result.rows, result.participants_created) == (1000, 500)
    assert max(sizes) <= csv_files.READ_SIZE
    upload.close()


@pytest.fixture
def small_batches(monkeypatch):
    """Spool runs and batches far smaller than a file, as a file of millions meets them."""
    monkeypatch.setattr(spool, "IN_MEMORY", 100)
    monkeypatch.setattr(spool, "BLOCK", 10)
    monkeypatch.setattr(spool, "MAX_RUNS", 4)
    monkeypatch.setattr(placement_import, "CHECK_BATCH", 50)
    monkeypatch.setattr(placement_import, "WRITE_BATCH", 50)
    monkeypatch.setattr(placement_import, "CACHE_LIMIT", 100)
    monkeypatch.setattr(audit_services, "BULK_BATCH", 50)


def test_rows_of_a_person_far_apart_in_a_large_file_are_one_participant(small_batches):
    result = import_placements(io.BytesIO(placements_file(1000)))

    assert (result.rows, result.participants_created, result.placements_created) == (
        2000,
        1000,
        2000,
    )
    assert Participant.objects.count() == 1000
    assert Placement.objects.filter(participant__enrolled_on=D(2019, 1, 1)).count() == 2000
    assert FollowUp.objects.filter(outcome="studier").count() == 500


def test_problems_of_a_large_file_are_listed_in_row_order(small_batches):
    data = placements_file(300)
    # Every second person's second placement starts inside the first.
    data = data.replace(b"2020-02-01", b"2019-06-01", 150)

    with pytest.raises(ImportFailed) as failure:
        import_placements(io.BytesIO(data))

    messages = [str(error) for error in failure.value.errors]
    assert len(messages) == 150
    assert messages[0] == (
        "row 302: start_date: overlaps the placement 2019-01-01–2019-12-31 on row 2"
    )
    rows = [int(message.split(":")[0].removeprefix("row ")) for message in messages]
    assert rows == list(range(302, 452))
    assert not Participant.objects.exists()


def _peak_memory_of_import(people: int, offset: int) -> int:
    data = placements_file(people, offset=offset)
    # The objects there are now are left out of the collector's count (the second
    # collect counts none): garbage in cycles, which Django's queries make, is then
    # collected as often for a small file as for a large one, and the peak
    # measures what the import holds.
    gc.collect()
    gc.freeze()
    gc.collect()
    tracemalloc.start()
    try:
        import_placements(io.BytesIO(data))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        gc.unfreeze()


def test_the_memory_of_an_import_does_not_grow_with_its_rows(small_batches):
    small = _peak_memory_of_import(300, 0)
    large = _peak_memory_of_import(2400, 1000)

    assert Placement.objects.count() == 5400
    # Reading the whole file, or holding its rows, takes about seven times as much for
    # eight times the rows. What grows here is SQLite's cache of statements (at most
    # 128); on PostgreSQL the two are within a fifth of each other.
    assert large < 2 * small, (small, large)
