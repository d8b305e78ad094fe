"""The worker's entry point: ``celery -A stockholmsjobb`` finds the app here (core.celery)."""

from core.celery import app

__all__ = ["app"]
