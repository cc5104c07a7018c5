"""Test settings: production settings with a fast hasher and plain static storage.

CSRF, CSP, lockout and session limits stay on: tests run under production conditions.
"""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# WhiteNoise's index of the static files made once per test process, not once per test client
# (houqin.testing.WhiteNoiseIndexedOnce; it serves the same files with the same headers).
MIDDLEWARE = [
    "houqin.testing.WhiteNoiseIndexedOnce" if name == "whitenoise.middleware.WhiteNoiseMiddleware" else name
    for name in MIDDLEWARE  # noqa: F405
]
