"""Logins, failed logins and logouts, from Django's auth signals."""

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from accounts.signals import second_factor_failed, second_factor_reset, second_factor_verified
from audit.models import Action
from audit.services import log_access


@receiver(user_logged_in, dispatch_uid="audit_login")
def log_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # With two-factor login the login is logged when the code is accepted
    # (accounts.views); the password alone is a step on the way.
    action = Action.PASSWORD_OK if settings.REQUIRE_2FA else Action.LOGIN
    log_access(action=action, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def log_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The username tried, nothing else: Django has already masked the password,
    # and no other credential is kept.
    username = credentials.get("username")
    log_access(
        action=Action.LOGIN_FAILED,
        username=username if isinstance(username, str) else "",
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="audit_logout")
def log_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        log_access(action=Action.LOGOUT, user=user, request=request)


@receiver(second_factor_verified, dispatch_uid="audit_second_factor_verified")
def log_second_factor_verified(
    sender: Any, request: HttpRequest, user: User, **kwargs: Any
) -> None:
    log_access(action=Action.LOGIN, detail="second factor", user=user, request=request)


@receiver(second_factor_failed, dispatch_uid="audit_second_factor_failed")
def log_second_factor_failed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    log_access(
        action=Action.LOGIN_FAILED, detail="second factor: wrong code", user=user, request=request
    )


@receiver(second_factor_reset, dispatch_uid="audit_second_factor_reset")
def log_second_factor_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    # The administrator is the actor; the user whose phone was replaced is named in the detail.
    log_access(
        action=Action.CHANGE,
        object_type="user",
        object_id=user.pk,
        detail=f"second factor reset for {user.get_username()}",
        request=request,
    )
