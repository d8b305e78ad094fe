from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from accounts.lockout import count_failed_login

        user_login_failed.connect(count_failed_login, dispatch_uid="accounts_address_failures")
        # django-otp names its app "Otp_Totp" in the admin, in no language.
        apps.get_app_config("otp_totp").verbose_name = _("Two-step verification")
