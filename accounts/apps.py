from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from accounts.lockout import count_failed_login

        user_login_failed.connect(count_failed_login, dispatch_uid="accounts_address_failures")
