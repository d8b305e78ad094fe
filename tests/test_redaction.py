"""No personnummer or name in log lines or error e-mails, even from an unforeseen error."""

import io
import logging
import sys

import pytest
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from participants.models import Participant
from stockholmsjobb.redaction import MASK, RedactPersonnummer, redact
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

NUMBER = "198507091234"


def failing_view(request: HttpRequest, pk: int) -> HttpResponse:
    participant = Participant.objects.get(pk=pk)  # a local variable the traceback would list
    raise ValueError(
        f"Key (personnummer)=({participant.personnummer}) already exists; "
        f"typed {request.POST.get('search', '')}"
    )


urlpatterns = [path("fails/<int:pk>/", failing_view)]


def test_every_written_form_of_a_personnummer_is_masked():
    for written in ("198507091234", "19850709-1234", "850709-1234", "850709+1234", "8507091234"):
        assert redact(f"Key ({written}) exists") == f"Key ({MASK}) exists"
    for harmless in ("2020-01-31", "id 123456", "20200131", "1234567890123"):
        assert redact(harmless) == harmless


def test_the_log_filter_masks_the_message_its_arguments_and_the_traceback():
    try:
        raise RuntimeError(f"duplicate {NUMBER}")
    except RuntimeError:
        record = logging.getLogger("test").makeRecord(
            "test", logging.ERROR, __file__, 1, "import of %s failed", (NUMBER,), exc_info=True
        )
        record.exc_info = sys.exc_info()

    assert RedactPersonnummer().filter(record) is True
    assert record.getMessage() == f"import of {MASK} failed"
    assert NUMBER not in record.exc_text and MASK in record.exc_text


@pytest.fixture
def console():
    """What the console log handler of the settings writes."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and any(isinstance(f, RedactPersonnummer) for f in handler.filters)
    )
    # Not setStream(): it flushes the old stream, which a test that configured
    # logging again may have left pointing at a closed capture.
    stream = io.StringIO()
    with handler.lock:
        previous, handler.stream = handler.stream, stream
    yield stream
    with handler.lock:
        handler.stream = previous


@override_settings(
    ROOT_URLCONF=__name__,
    DEBUG=False,
    ADMINS=[("Drift", "drift@example.se")],
    ALLOWED_HOSTS=["testserver"],
)
def test_a_server_error_reports_no_personal_data_by_mail_or_in_the_log(admin_user, console):
    participant = ParticipantFactory(
        personnummer=NUMBER, first_name="Hemlig", last_name="Hemligsson"
    )
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    response = client.post(f"/fails/{participant.pk}/", {"search": "850709-1234"})

    assert response.status_code == 500
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    html = message.alternatives[0][0] if message.alternatives else ""
    logged = console.getvalue()
    assert "ValueError" in message.body and "ValueError" in logged  # the error itself is there
    for text in (message.subject, message.body, html, logged):
        for secret in (NUMBER, "19850709-1234", "850709-1234", "Hemligsson"):
            assert secret not in text
