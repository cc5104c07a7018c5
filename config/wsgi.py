import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

if settings.HOUQIN_PDF_WARM:  # each worker imports this module once, when it starts
    from houqin.core.pdf import warm

    warm()
