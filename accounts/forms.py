from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class _CodeField(forms.CharField):
    def to_python(self, value: object) -> str:
        # People type the code as the app shows it, often "123 456".
        return "".join(super().to_python(value).split())


class _CodeForm(forms.Form):
    token = _CodeField(
        label=_("Six-digit code"),
        validators=[RegexValidator(r"^\d{6}$", _("Enter the six digits the app shows."))],
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    wrong_code_message = _("The code is wrong or has expired. Enter the code the app shows now.")


class TwoFactorSetupForm(_CodeForm):
    """The first code from a new authenticator app, proving it holds `key`.

    Checked without a device row: the device is saved only once confirmed.
    Throttling would add nothing here, since the page shows the key itself.
    """

    def __init__(self, *args, key: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.totp = TOTP(bytes.fromhex(key))

    def clean(self) -> dict:
        cleaned = super().clean()
        token = cleaned.get("token")
        if token is not None and not self.totp.verify(int(token), tolerance=1):
            raise forms.ValidationError(self.wrong_code_message, code="invalid_token")
        return cleaned


class TwoFactorVerifyForm(_CodeForm):
    """A code from the user's confirmed device, at each login."""

    def __init__(self, *args, device: TOTPDevice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean(self) -> dict:
        cleaned = super().clean()
        token = cleaned.get("token")
        if token is None:
            return cleaned
        allowed, _details = self.device.verify_is_allowed()
        if not allowed:
            # django-otp's throttling: each wrong code doubles the wait.
            raise forms.ValidationError(
                _("Too many wrong codes. Wait a minute and try again."), code="throttled"
            )
        # Also refuses a code already used, and records the failures that throttle.
        if not self.device.verify_token(token):
            raise forms.ValidationError(self.wrong_code_message, code="invalid_token")
        return cleaned
