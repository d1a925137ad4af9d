"""Django's admin rendered by DjustTemplates is byte-identical to DjangoTemplates.

Login, index, a change list with search and filters, and the change, add and
delete forms, each rendered twice in the same test (TEMPLATES overridden to
Django's backend, then to djust's); only the CSRF token may differ.
"""

import copy
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client, override_settings

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def templates_with(backend: str) -> list[dict]:
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["BACKEND"] = backend
    return templates


DJANGO = templates_with("django.template.backends.django.DjangoTemplates")
DJUST = templates_with("djust.template.backends.DjustTemplates")


def page(client: Client, url: str, templates: list[dict]) -> str:
    with override_settings(TEMPLATES=templates):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return CSRF.sub(r"\1<token>\2", response.content.decode())


@pytest.fixture
def admin_client(db):
    admin = User.objects.create_superuser("admin", "admin@example.com", None, first_name="Ada")
    staff = User.objects.create_user("bob", "bob@example.com", None, is_staff=True, last_name="<Smith & Co>")
    User.objects.create_user("carol", "carol@example.com", None)
    group = Group.objects.create(name="Editors")
    staff.groups.add(group)
    client = Client()
    client.force_login(admin)
    return client, admin, staff


def test_login_page_is_identical(db):
    client = Client()
    assert page(client, "/admin/login/?next=/admin/", DJUST) == page(client, "/admin/login/?next=/admin/", DJANGO)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/auth/",
        "/admin/auth/user/",
        "/admin/auth/user/?q=bo",
        "/admin/auth/user/?is_staff__exact=1&o=1.-2",
        "/admin/auth/group/",
        "/admin/auth/user/add/",
        "/admin/auth/group/add/",
        "/admin/password_change/",
    ],
)
def test_admin_pages_are_identical(admin_client, url):
    client, _, _ = admin_client
    assert page(client, url, DJUST) == page(client, url, DJANGO)


def test_change_and_delete_forms_are_identical(admin_client):
    client, _, staff = admin_client
    for url in (
        f"/admin/auth/user/{staff.pk}/change/",
        f"/admin/auth/user/{staff.pk}/delete/",
        f"/admin/auth/group/{staff.groups.get().pk}/change/",
        f"/admin/auth/user/{staff.pk}/history/",
    ):
        assert page(client, url, DJUST) == page(client, url, DJANGO), url
