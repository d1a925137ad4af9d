"""The LiveView runtime through LiveViewTestClient: mount, events, coercion, errors, security."""

import datetime
import decimal
import json

import pytest
from django import forms
from django.contrib.auth.models import User

from djust import LiveView, event_handler, events, tokens
from djust.session import LiveSession
from djust.test_client import LiveViewError, LiveViewTestClient

pytestmark = pytest.mark.django_db


class Counter(LiveView):
    template = "<p>count={{ count }}</p><button dj-click='inc'>+</button>"

    def mount(self, request, start="0", **kwargs):
        self.count = int(start)
        self._secret = "never-sent"

    @event_handler
    def inc(self, by: int = 1):
        self.count += by

    @event_handler
    def explode(self):
        self.count = 999
        raise RuntimeError("boom")

    def helper(self):
        self.count = -1


class Typed(LiveView):
    template = "{{ got }}"

    def mount(self, request, **kwargs):
        self.got = ""
        self.items = []

    @event_handler
    def typed(self, n: int, x: float, flag: bool, price: decimal.Decimal, day: datetime.date, tags: list[str]):
        self.got = repr((n, x, flag, price, day, tags))

    @event_handler
    def append(self, item: str):
        self.items.append(item)  # in-place mutation must be seen
        self.got = len(self.items)


class ContactForm(forms.Form):
    email = forms.EmailField()
    age = forms.IntegerField(min_value=18)


class Signup(LiveView):
    template = "{% if done %}thanks {{ email }}{% else %}{{ form.errors }}{% endif %}"

    def mount(self, request, **kwargs):
        self.form = ContactForm()
        self.done = False
        self.email = ""

    @event_handler
    def save(self, form: ContactForm):
        self.form = form
        if form.is_valid():
            self.done = True
            self.email = form.cleaned_data["email"]
            self.push_event("saved", {"email": self.email})


class Searchable(LiveView):
    template = "q={{ query }} n={{ hits }} p={{ price }} d={{ day }} t={{ tags|join:',' }}"

    def mount(self, request, **kwargs):
        self.query = ""
        self.hits = 0
        self.price = decimal.Decimal("1.00")
        self.day = datetime.date(2026, 1, 1)
        self.tags = []
        self.options = {"a": 1}

    def updated_query(self, value):
        self.hits = len(value)


class Whoami(LiveView):
    template = "user={{ name }}"
    login_required = True

    def mount(self, request, **kwargs):
        self.name = request.user.username

    @event_handler
    def leave(self):
        self.redirect("/bye/")


def test_mount_renders_state_and_hides_private_names():
    live = LiveViewTestClient.mount(Counter, start="5")
    assert "count=5" in live.html
    assert "never-sent" not in live.page
    assert 'dj-token="' in live.page and "djust/djust.js" in live.page


def test_click_updates_and_replies_with_a_slot_patch():
    live = LiveViewTestClient.mount(Counter)
    reply = live.click("inc")
    assert reply["t"] == "reply"
    assert reply["patch"]["d"] == [{"o": "s", "p": [0], "v": "1"}]  # only the changed slot
    assert "count=1" in live.html
    live.click("inc", by=10)
    assert live.has_element("p", text="count=11")


def test_unchanged_state_sends_no_html():
    live = LiveViewTestClient.mount(Counter)
    reply = live.click("inc", by=0)
    assert "html" not in reply and "patch" not in reply


def test_handler_that_raises_keeps_state_and_connection():
    live = LiveViewTestClient.mount(Counter)
    live.click("inc")
    with pytest.raises(LiveViewError) as info:
        live.click("explode")
    assert "boom" not in str(info.value.args)  # DEBUG is off: no details
    assert live._live.view.count == 1
    live.click("inc")
    assert "count=2" in live.html


def test_debug_errors_carry_the_traceback():
    live = LiveViewTestClient.mount(Counter, debug=True)
    with pytest.raises(LiveViewError) as info:
        live.click("explode")
    assert "RuntimeError: boom" in info.value.args[1]


@pytest.mark.parametrize("name", ["helper", "mount", "dispatch", "__init__", "get", "nope"])
def test_only_event_handlers_are_callable(name):
    live = LiveViewTestClient.mount(Counter)
    with pytest.raises(LiveViewError, match="unknown event"):
        live.event(name)
    assert live._live.view.count == 0


def test_bad_argument_is_refused_before_the_handler():
    live = LiveViewTestClient.mount(Counter)
    with pytest.raises(LiveViewError, match="bad arguments"):
        live.click("inc", by="lots")
    assert live._live.view.count == 0


def test_arguments_are_coerced_from_type_hints():
    live = LiveViewTestClient.mount(Typed)
    live.event(
        "typed",
        {"n": "3", "x": "2.5", "flag": "on", "price": "9.90", "day": "2026-11-26", "tags": ["a", "b"], "extra": "x"},
    )
    assert "(3, 2.5, True, Decimal(&#x27;9.90&#x27;), datetime.date(2026, 11, 26), [&#x27;a&#x27;, &#x27;b&#x27;])" in (
        live.html
    )


def test_in_place_mutation_is_a_change():
    live = LiveViewTestClient.mount(Typed)
    live.event("append", {"item": "x"})
    assert live.html == "1"


class Note:
    def __init__(self, text):
        self.text = text


class Deep(LiveView):
    template = (
        "{% for r in rows %}<li>{{ r.name }}</li>{% endfor %}"
        "<p>{{ user.first_name }}</p><i>{{ note.text }}</i><b>{{ users|length }}</b>"
    )

    def mount(self, request, **kwargs):
        self.rows = [{"name": "a"}, {"name": "b"}]
        self.user, _ = User.objects.get_or_create(username="deep", defaults={"first_name": "Ada"})
        self.note = Note("n1")
        self.users = User.objects.all()

    @event_handler
    def rename_row(self):
        self.rows[1]["name"] = "B"  # two levels down, no reassignment

    @event_handler
    def rename_user(self):
        self.user.first_name = "Grace"  # a model edited in place: same pk, so == says equal

    @event_handler
    def edit_note(self):
        self.note.text = "n2"

    @event_handler
    def nothing(self):
        self.rows[0]["name"] = "a"  # same value written back


def test_deep_in_place_mutation_is_a_change(django_assert_num_queries):
    live = LiveViewTestClient.mount(Deep)
    assert live.html.startswith("<li>a</li><li>b</li><p>Ada</p><i>n1</i><b>1</b>")
    reply = live.click("rename_row")
    assert [op["o"] for op in reply["patch"]["d"]] == ["s"] and "<li>B</li>" in live.html
    assert "Grace" in str(live.click("rename_user")["patch"]) and "<p>Grace</p>" in live.html
    assert live.click("edit_note")["patch"]["d"] == [{"o": "s", "p": [3], "v": "n2"}] and "<i>n2</i>" in live.html
    # Rewriting the same values is no change, and the lazy QuerySet in state is
    # neither copied nor compared (that would run it): no query at all.
    with django_assert_num_queries(0):
        reply = live.click("nothing")
    assert "patch" not in reply and "html" not in reply


def test_form_argument_validates_on_the_server_and_pushes_an_event():
    live = LiveViewTestClient.mount(Signup)
    live.submit("save", {"email": "not-an-email", "age": "12"})
    assert "Enter a valid email address." in live.html
    assert "greater than or equal to 18" in live.html
    live.submit("save", {"email": "a@example.com", "age": "30"})
    assert live.html == "thanks a@example.com"
    assert live.assert_push_event("saved") == {"email": "a@example.com"}


def test_dj_model_sets_existing_public_state_only():
    live = LiveViewTestClient.mount(Searchable)
    live.model("query", "dune")
    assert live.html.startswith("q=dune n=4 ")
    live.model("price", "9.50")
    live.model("day", "2026-11-26")
    live.model("tags", ["x", "y"])
    assert live.html == "q=dune n=4 p=9.50 d=Nov. 26, 2026 t=x,y"
    for field in ("_secret", "template", "nothere", "updated_query", "request", "options"):
        with pytest.raises(LiveViewError, match="dj-model"):
            live.model(field, "x")
    with pytest.raises(LiveViewError, match="bad value"):
        live.model("price", "lots")
    assert live.html == "q=dune n=4 p=9.50 d=Nov. 26, 2026 t=x,y"


def test_login_required_and_redirect():
    alice = User.objects.create_user("alice")
    live = LiveViewTestClient.mount(Whoami, user=alice)
    assert live.html == "user=alice"
    live.click("leave")
    assert live.redirected_to == "/bye/"
    with pytest.raises(LiveViewError, match="GET answered 302"):
        LiveViewTestClient.mount(Whoami)


def test_token_is_bound_to_user_and_session():
    alice = User.objects.create_user("alice")
    live = LiveViewTestClient.mount(Counter, user=alice)
    token = json.loads(json.dumps({"token": _token_of(live)}))["token"]
    other = LiveSession(user=alice, session=None)
    frames = other.join(events.Join(token=token, version=1))
    assert json.loads(frames[0])["message"] == "join refused"
    with pytest.raises(tokens.TokenError):
        tokens.verify(token + "x", live._live.session.session_key, alice)


def test_join_carries_the_live_tables_rendering_the_current_state():
    live = LiveViewTestClient.mount(Counter, start="5")
    assert live.frames[0]["t"] == "joined" and live.frames[0]["live"]["v"] == 1
    assert live.html == "<p>count=5</p><button dj-click='inc'>+</button>"


def test_fallback_renderer_sends_html_only_when_it_changed(settings):
    settings.DJUST_LIVE_RENDERING = False
    live = LiveViewTestClient.mount(Counter)
    assert "html" not in live.frames[0] and "live" not in live.frames[0]
    joined = live._live.join(events.Join(token=_token_of(live), version=1, rendered="0" * 16))
    assert "count=0" in json.loads(joined[-1])["html"]
    assert "count=1" in live.click("inc")["html"]


def test_protocol_errors_and_size_limit():
    live = LiveViewTestClient.mount(Counter)
    for bad in ["nope", "[]", '{"t": "event"}', '{"t": "zap"}', '{"t":"event","ref":1,"name":"inc","value":[1]}']:
        (frame,) = live._live.handle_text(bad)
        assert json.loads(frame)["t"] == "error"
    big = json.dumps({"t": "event", "ref": 1, "name": "inc", "value": {"x": "a" * 70000}})
    assert "larger than" in json.loads(live._live.handle_text(big)[0])["message"]
    assert json.loads(live._live.handle_text('{"t":"hb"}')[0]) == {"t": "hb"}
    live.click("inc")
    assert "count=1" in live.html


def _token_of(live):
    import re
    from html import unescape

    return unescape(re.search(r'dj-token="([^"]*)"', live.page).group(1))
