import os
import socket

from celery import shared_task
from django.db import connection


@shared_task
def worker_health() -> dict:
    """Answers with where it ran, so an operator (and CI) can see a real worker reply."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "database": connection.vendor,
        "database_ok": one == 1,
    }
