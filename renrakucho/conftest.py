import pytest
from django.test import Client
from django.utils import translation

from renrakucho.testing.personas import make_personas

# Real-browser fixtures (Chromium check, uvicorn serving the ASGI app, Playwright in a thread,
# signed-in pages, CSP refusals). Only this top-level conftest may register a plugin.
pytest_plugins = ["renrakucho.testing.browser"]


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is what production uses (tested in accounts); tests hash with MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and generated files go to the test's own temporary directory, never var/."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware activates a request's language in the thread and leaves it there: a
    # test asking for English would otherwise turn every later gettext() into English.
    yield
    translation.deactivate()


@pytest.fixture
def personas(db):
    return make_personas()


@pytest.fixture
def client_for():
    """client_for(user) -> a Django test client signed in as `user`."""

    def make(user):
        client = Client()
        client.force_login(user, backend="renrakucho.accounts.backends.AffiliatedUserBackend")
        return client

    return make
