# The Celery app is not imported here: core.celery says why and who imports it.
