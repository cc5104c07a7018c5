"""Fixtures for every test: the standard world, logged-in clients, and the browser set-up."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def world(db):
    from houqin.testing import build_world

    return build_world()


@pytest.fixture
def login(client):
    """`login(user)` → a Django test client logged in as that user (CSRF checks on)."""
    from django.test import Client

    def _login(user):
        c = Client(enforce_csrf_checks=False)
        c.force_login(user)
        return c

    return _login


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the menu's to-do counts are cached per user id)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make system-deps)", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--disable-gpu"]}
