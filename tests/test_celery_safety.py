"""Celery is used safely: sent after commit, never lost with a worker, never run twice.

- A task is sent only once the transaction that made its work commits
  (``transaction.on_commit`` or ``delay_on_commit``): a worker never looks for
  a row that is not there yet, and a rolled-back request sends nothing.
- ``acks_late`` with ``task_reject_on_worker_lost``: a task whose worker
  process dies is delivered again, not lost (shown with a real worker and a
  real kill).
- Redis hands an unacknowledged task to another worker after the visibility
  timeout, so it must be longer than any task may run.
"""

import ast
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery.exceptions import WorkerLostError
from celery.signals import task_prerun
from django.conf import settings
from django.db import transaction

from reports.models import OutcomeSnapshot, SnapshotStatus
from reports.services import snapshot_request
from stockholmsjobb.celery import app as celery_app
from tests.helpers import require

ROOT = Path(settings.BASE_DIR)
SEND_METHODS = {"delay", "apply_async", "send_task"}
NOT_APP_CODE = {".venv", "tests", "bench", "migrations", "node_modules", "var", "static"}
DRILL_QUEUE = "safety-drill"


# --- Sent after commit ---------------------------------------------------------------------


@pytest.fixture
def tasks_started():
    started: list[str] = []

    def record(sender=None, **kwargs):
        started.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield started
    task_prerun.disconnect(record)


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_task_is_sent_only_when_its_row_has_been_committed(tasks_started):
    with transaction.atomic():
        snapshot = snapshot_request()
        # Tasks run eagerly here: had it been sent now, it would have run now.
        assert tasks_started == []
        assert OutcomeSnapshot.objects.get(pk=snapshot.pk).status == SnapshotStatus.QUEUED

    assert tasks_started == ["reports.tasks.compute_snapshot_task"]
    assert OutcomeSnapshot.objects.get(pk=snapshot.pk).status == SnapshotStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_request_sends_no_task(tasks_started):
    with pytest.raises(RuntimeError), transaction.atomic():
        snapshot_request()
        raise RuntimeError("the request failed after asking for a snapshot")

    assert tasks_started == []
    assert not OutcomeSnapshot.objects.exists()


def _app_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not NOT_APP_CODE.intersection(path.relative_to(ROOT).parts)
    ]


def sends_outside_on_commit(source: str) -> list[int]:
    """Line numbers of task sends that do not wait for the commit.

    A send is safe when it is ``delay_on_commit``/``apply_async_on_commit``,
    when it sits inside an ``on_commit(...)`` call (a lambda), or when the
    function around it is only ever handed to ``on_commit`` in the module.
    """
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def inside_on_commit(node: ast.AST) -> bool:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.Call) and _called_name(node) == "on_commit":
                return True
        return False

    def enclosing_function(node: ast.AST) -> ast.FunctionDef | None:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    uses: dict[str, list[bool]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            uses.setdefault(node.id, []).append(inside_on_commit(node))

    unsafe = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _called_name(node) in SEND_METHODS):
            continue
        if inside_on_commit(node):
            continue
        function = enclosing_function(node)
        if function is not None and uses.get(function.name) and all(uses[function.name]):
            continue
        unsafe.append(node.lineno)
    return unsafe


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return ""


def test_the_rule_finds_a_send_that_does_not_wait_for_the_commit():
    source = (
        "from django.db import transaction\n"
        "def now(task):\n"
        "    task.delay(1)\n"
        "def later(task):\n"
        "    transaction.on_commit(lambda: task.delay(2))\n"
        "def _enqueue(task):\n"
        "    task.apply_async((3,))\n"
        "def request(task):\n"
        "    transaction.on_commit(lambda: _enqueue(task))\n"
        "def explicit(task):\n"
        "    task.delay_on_commit(4)\n"
    )
    assert sends_outside_on_commit(source) == [3]
    assert sends_outside_on_commit(source + "def again(task):\n    _enqueue(task)\n") == [3, 7]


def test_application_code_sends_tasks_only_after_commit():
    modules = _app_modules()
    assert any(path.name == "services.py" for path in modules)
    unsafe = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if (lines := sends_outside_on_commit(path.read_text()))
    }
    assert unsafe == {}


# --- Acknowledgement and visibility ----------------------------------------------------------


def test_tasks_are_acknowledged_after_they_finish_and_requeued_if_their_worker_dies():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_the_visibility_timeout_is_longer_than_any_task_may_run():
    default_limit = celery_app.conf.task_time_limit
    assert default_limit, "tasks need a hard time limit for the visibility timeout to mean anything"
    celery_app.loader.import_default_modules()
    ours = [task for name, task in celery_app.tasks.items() if not name.startswith("celery.")]
    assert ours, "no project tasks registered"
    longest = max((task.time_limit or default_limit) for task in ours)
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > longest
    # A soft limit below the hard one lets a task roll back before it is killed.
    assert celery_app.conf.task_soft_time_limit < default_limit


@pytest.fixture
def drill_worker():
    """A prefork worker (one child) on a queue of its own, with the drill tasks loaded."""
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "needs Redis")
    celery = Path(sys.executable).parent / "celery"
    process = subprocess.Popen(
        [
            str(celery),
            "-A",
            "stockholmsjobb",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            f"--queues={DRILL_QUEUE}",
            "--include=tests.celery_drills",
            f"--hostname=drill-{uuid.uuid4().hex[:8]}@%h",
            "--loglevel=ERROR",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "stockholmsjobb.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = celery_app.control.ping(timeout=1.0)
            if any(name.startswith("drill-") for reply in replies for name in reply):
                break
            if process.poll() is not None:
                pytest.fail("the drill worker exited at start")
        else:
            pytest.fail("the drill worker did not answer within 60 s")
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.redis
def test_a_task_whose_worker_process_dies_is_delivered_again_and_finishes(
    drill_worker, real_broker
):
    from tests.celery_drills import die_on_first_attempt

    result = die_on_first_attempt.apply_async(args=[f"drill:{uuid.uuid4().hex}"], queue=DRILL_QUEUE)

    assert result.get(timeout=90) == 2  # the first attempt died; the message came back


@pytest.mark.redis
def test_without_the_settings_the_same_death_loses_the_task(drill_worker, real_broker):
    from tests.celery_drills import die_on_first_attempt_acked_early

    result = die_on_first_attempt_acked_early.apply_async(
        args=[f"drill:{uuid.uuid4().hex}"], queue=DRILL_QUEUE
    )

    with pytest.raises(WorkerLostError):
        result.get(timeout=90)
