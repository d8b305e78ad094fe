from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo data (`manage.py seed_demo`); the top floor: nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
