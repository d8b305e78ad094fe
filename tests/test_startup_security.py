"""The web server's own refusals and the cookies' flags (issue 12, point 11)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from stockholmsjobb.settings import DEVELOPMENT_SECRET_KEY as DEV_KEY
from stockholmsjobb.startup import refuse_development_key


@override_settings(DEBUG=False, SECRET_KEY=DEV_KEY)
def test_the_server_refuses_the_development_key_in_production():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        refuse_development_key()


@override_settings(DEBUG=True, SECRET_KEY=DEV_KEY)
def test_a_developer_may_serve_on_it_with_debug_on():
    refuse_development_key()


@override_settings(DEBUG=False, SECRET_KEY="a-real-secret-key-from-the-environment-0123456789")
def test_a_set_key_is_served():
    refuse_development_key()


@pytest.mark.django_db
def test_the_csrf_cookie_is_not_readable_by_scripts(client):
    response = client.get("/accounts/login/")
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
