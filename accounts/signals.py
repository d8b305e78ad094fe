"""The second factor's outcomes, for whoever records them (the access log, above accounts)."""

from django.dispatch import Signal

# Sent with ``request`` and ``user`` when a code from the authenticator app is
# accepted (the login is complete) or refused.
second_factor_verified = Signal()
second_factor_failed = Signal()
# Sent with ``request`` (the administrator's) and ``user`` (whose devices went).
second_factor_reset = Signal()
