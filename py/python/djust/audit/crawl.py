"""Run pages with every statement recorded: the URLconf crawl and template mode.

Pages are requested with Django's test client, as a browser would ask for
them: GET, no redirects followed, in the configured database. Routes whose
pattern has arguments cannot be guessed; they take URLs from ``--url`` or the
``DJUST_AUDIT_URLS`` setting (a list of paths, or a callable, or its dotted
path, returning paths: e.g. ``lambda: [f"/posts/{Post.objects.first().pk}/"]``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.template import loader
from django.test import Client, RequestFactory
from django.test.signals import template_rendered
from django.test.utils import _TestState, setup_test_environment, teardown_test_environment
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.module_loading import import_string
from django.utils.regex_helper import normalize

from djust.audit.errors import AuditError
from djust.audit.recorder import Recorder
from djust.audit.renders import Render, capturing
from djust.audit.report import DEFAULT_THRESHOLD, PageReport, Skipped, page_report


@dataclass
class PageRun:
    """A page's report and the renders it made (for the fix check)."""

    report: PageReport
    renders: list[Render] = field(default_factory=list)


# --- discovering URLs ----------------------------------------------------------


_UNBUILDABLE = "no URL can be built from the pattern (alternation?): pass --url"


def discover(urlconf: str | None = None) -> tuple[list[str], list[Skipped]]:
    """Every URL of the URLconf that needs no arguments, and the routes that do."""
    urls: list[str] = []
    skipped: list[Skipped] = []
    for route, forms in _walk(get_resolver(urlconf).url_patterns, "", [("", [])]):
        concrete = [fmt for fmt, params in forms if not params]
        if not concrete:
            reason = "needs arguments" if forms else _UNBUILDABLE
            skipped.append(Skipped(route=route, reason=reason))
            continue
        path = "/" + concrete[0].replace("%%", "%")
        url = quote(path, safe="/~:@!$&'()*+,;=")
        # normalize() guesses through alternations and character classes:
        # keep a URL only if it resolves back to this very route.
        try:
            ok = resolve(path, urlconf).route == route
        except Resolver404:
            ok = False
        if not ok:
            skipped.append(Skipped(route=route, reason=_UNBUILDABLE))
        elif url not in urls:
            urls.append(url)
    return urls, skipped


def _walk(
    patterns: Iterable[Any], route: str, forms: list[tuple[str, list[str]]]
) -> Iterator[tuple[str, list[tuple[str, list[str]]]]]:
    for p in patterns:
        # Joined as Django joins ResolverMatch.route, to compare with it.
        here = route + str(p.pattern).removeprefix("^") if route else str(p.pattern)
        try:
            own = normalize(p.pattern.regex.pattern)
        except NotImplementedError:  # a top-level regex alternation
            yield here, []
            continue
        combined = [(a + b, pa + pb) for (a, pa), (b, pb) in itertools.product(forms, own)]
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, here, combined)
        elif isinstance(p, URLPattern):
            yield here, combined


def settings_urls() -> list[str]:
    """The URLs of ``settings.DJUST_AUDIT_URLS`` (a list, a callable or its dotted path)."""
    hook = getattr(settings, "DJUST_AUDIT_URLS", None)
    if hook is None:
        return []
    if isinstance(hook, str):
        hook = import_string(hook)
    if callable(hook):
        hook = hook()
    if isinstance(hook, str) or not isinstance(hook, Iterable):
        raise ImproperlyConfigured("DJUST_AUDIT_URLS must be a list of paths, or a callable returning one")
    return [str(u) for u in hook]


# --- running pages ---------------------------------------------------------------


@contextmanager
def audit_environment() -> Iterator[None]:
    """Django's test environment (the ``testserver`` host, instrumented
    template rendering, locmem email), unless a test runner already set it up."""
    if hasattr(_TestState, "saved_data"):
        yield
        return
    setup_test_environment()
    try:
        yield
    finally:
        teardown_test_environment()


@contextmanager
def capture_renders() -> Iterator[list[Render]]:
    """Collect the template renders (and their contexts) made inside: those
    announced by ``template_rendered`` (Django's engine, ``DjustTemplates``)
    and LiveView mounts."""
    renders: list[Render] = []

    def on_render(sender: Any, template: Any, context: Any, **kwargs: Any) -> None:
        renders.append(Render(template=template, context=context.flatten()))

    template_rendered.connect(on_render, dispatch_uid=f"djust-audit-{id(renders)}")
    try:
        with capturing(renders):
            yield renders
    finally:
        template_rendered.disconnect(dispatch_uid=f"djust-audit-{id(renders)}")


def find_user(username: str) -> Model:
    """The user named ``username`` (by the user model's natural key)."""
    User = get_user_model()
    try:
        return User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        raise AuditError(f"no user {username!r}") from None


def run_urls(
    urls: Sequence[str],
    *,
    user: Model | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    using: Sequence[str] | None = None,
) -> list[PageRun]:
    """GET each URL with the test client, recording its statements."""
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    runs = []
    try:
        for url in urls:
            status, error = None, None
            with capture_renders() as renders, Recorder(using) as rec:
                try:
                    status = client.get(url).status_code
                except Exception as exc:  # a broken page is reported, not fatal
                    error = f"{type(exc).__name__}: {exc}"
            report = page_report(url, rec.statements, status=status, error=error, threshold=threshold)
            runs.append(PageRun(report=report, renders=renders))
    finally:
        if user is not None:
            client.logout()
    return runs


def parse_var(spec: str) -> tuple[str, Any]:
    """``name=app.Model[:field=value,field__lookup=value]`` → (name, QuerySet)."""
    name, sep, rest = spec.partition("=")
    if not sep or not name.isidentifier() or not rest:
        raise AuditError(f"--var {spec!r}: expected name=app.Model[:field=value,...]")
    label, _, filters = rest.partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise AuditError(f"--var {spec!r}: {exc}") from None
    kwargs: dict[str, Any] = {}
    for item in filter(None, (f.strip() for f in filters.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise AuditError(f"--var {spec!r}: filter {item!r} is not field=value")
        kwargs[key] = _literal(value)
    qs = model._default_manager.all()
    try:
        return name, qs.filter(**kwargs) if kwargs else qs
    except Exception as exc:  # FieldError and friends: a bad lookup in the spec
        raise AuditError(f"--var {spec!r}: {exc}") from None


def _literal(text: str) -> Any:
    lowered = text.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    if lowered in {"none", "null"}:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def run_template(
    name: str,
    variables: Sequence[str],
    *,
    user: Model | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    using: Sequence[str] | None = None,
) -> PageRun:
    """Render template ``name`` with ``--var`` querysets, recording its statements."""
    context = dict(parse_var(v) for v in variables)
    try:
        template = loader.get_template(name)
    except Exception as exc:  # TemplateDoesNotExist, TemplateSyntaxError
        raise AuditError(f"--template {name!r}: {type(exc).__name__}: {exc}") from None
    from django.contrib.auth.models import AnonymousUser  # needs the app registry

    request = RequestFactory().get("/")
    request.user = user if user is not None else AnonymousUser()
    error = None
    with capture_renders() as renders, Recorder(using) as rec:
        try:
            template.render(dict(context), request)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
    report = page_report(name, rec.statements, kind="template", error=error, threshold=threshold)
    # The backend-level render first: it replays with the caller's own names.
    return PageRun(report=report, renders=[Render(template, context, request), *renders])


def excluded(url: str, prefixes: Iterable[str]) -> bool:
    """Does ``url`` start with one of ``prefixes`` (with or without the leading /)?"""
    return any(url.lstrip("/").startswith(p.lstrip("/")) for p in prefixes)
