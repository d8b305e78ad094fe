"""
WSGI config for stockholmsjobb project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from stockholmsjobb.startup import refuse_development_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stockholmsjobb.settings")

application = get_wsgi_application()
refuse_development_key()
