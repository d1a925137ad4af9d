"""Live views exercised by the browser tests; each one is as small as its test."""

from django import forms

from djust import LiveView, event_handler

PAGE = "browser/page.html"


class Counter(LiveView):
    page_template_name = PAGE
    template = """<p id="count">{{ count }}</p>
<button id="inc" dj-click="inc">+</button>
<button id="add5" dj-click="add" dj-value-amount="5">+5</button>
<button id="slow" dj-click="slow" dj-disable-with="Saving...">slow</button>
<button id="bad" dj-click="explode">bad</button>
<button id="go" dj-click="go">go to rows</button>"""

    def mount(self, request, **kwargs):
        self.count = 0

    @event_handler
    def inc(self):
        self.count += 1

    @event_handler
    def add(self, amount: int):
        self.count += amount

    @event_handler
    def slow(self):
        import time

        time.sleep(0.3)  # long enough for the test to see the busy state
        self.count += 100

    @event_handler
    def go(self):
        self.navigate("/rows/")

    @event_handler
    def explode(self):
        self.count = -1
        raise RuntimeError("boom")


class SignupForm(forms.Form):
    username = forms.CharField(min_length=3)
    email = forms.EmailField()


class Signup(LiveView):
    page_template_name = PAGE
    template = """{% if done %}<p id="done">Welcome {{ name }}</p>{% else %}
<form id="signup" dj-submit="save" dj-change="validate">
  <input id="username" name="username" value="{{ form.data.username|default:'' }}">
  <span id="username-errors">{{ form.errors.username|join:' ' }}</span>
  <input id="email" name="email" value="{{ form.data.email|default:'' }}">
  <span id="email-errors">{{ form.errors.email|join:' ' }}</span>
  <button id="save" type="submit" dj-disable-with="Saving...">Sign up</button>
</form>{% endif %}"""

    def mount(self, request, **kwargs):
        self.form = SignupForm()
        self.done = False
        self.name = ""

    @event_handler
    def validate(self, form: SignupForm):
        form.is_valid()
        self.form = form

    @event_handler
    def save(self, form: SignupForm):
        self.form = form
        if form.is_valid():
            self.done = True
            self.name = form.cleaned_data["username"]


class Model(LiveView):
    page_template_name = PAGE
    template = """<input id="a" dj-model="a" value="{{ a }}">
<input id="b" dj-model.lazy="b" value="{{ b }}">
<input id="c" dj-model="c.debounce-300" value="{{ c }}">
<p id="out">a={{ a }};b={{ b }};c={{ c }}</p>"""

    def mount(self, request, **kwargs):
        self.a = self.b = self.c = ""


class Focus(LiveView):
    page_template_name = PAGE
    template = """<input id="text" dj-model="text" value="{{ text }}">
<p id="echo">{{ text|upper }}</p><p id="ticks">{{ ticks }}</p>
<button id="tick" dj-click="tick">tick</button>"""

    def mount(self, request, **kwargs):
        self.text = ""
        self.ticks = 0

    @event_handler
    def tick(self):
        self.ticks += 1


class Hooks(LiveView):
    page_template_name = PAGE
    template = """{% if shown %}<div id="probe" dj-hook="Probe" data-n="{{ n }}">n={{ n }}</div>{% endif %}
<button id="bump" dj-click="bump">bump</button><button id="toggle" dj-click="toggle">toggle</button>
<p id="n">{{ n }}</p>"""

    def mount(self, request, **kwargs):
        self.n = 0
        self.shown = True

    @event_handler
    def bump(self):
        self.n += 1

    @event_handler
    def toggle(self):
        self.shown = not self.shown

    @event_handler
    def ping(self, x: int):
        self.push_event("pong", {"x": x * 2})
        return {"got": x}


class Rows(LiveView):
    page_template_name = PAGE
    template = """<ul id="rows">{% for r in rows %}<li dj-key="{{ r.id }}">{{ r.name }}</li>{% endfor %}</ul>
<button id="reverse" dj-click="reverse">reverse</button>
<button id="rotate" dj-click="rotate">rotate</button>
<button id="drop" dj-click="drop">drop first</button>
<button id="add" dj-click="add">add</button>"""

    def mount(self, request, **kwargs):
        self.rows = [{"id": i, "name": f"row {i}"} for i in range(1, 6)]
        self.next_id = 6

    @event_handler
    def reverse(self):
        self.rows = self.rows[::-1]

    @event_handler
    def rotate(self):
        self.rows = self.rows[1:] + self.rows[:1]

    @event_handler
    def drop(self):
        self.rows = self.rows[1:]

    @event_handler
    def add(self):
        self.rows = [{"id": self.next_id, "name": f"row {self.next_id}"}, *self.rows]
        self.next_id += 1


class HookRows(LiveView):
    """Hooked loop rows: patched in place (anchors path), hooks must still see every change."""

    page_template_name = PAGE
    template = """<ul id="hrows">{% for r in rows %}\
<li id="r{{ r.id }}" dj-key="{{ r.id }}" dj-hook="Row" data-n="{{ r.id }}">{{ r.name }}</li>{% endfor %}</ul>
<p id="total">{{ rows|length }}</p>
<button id="rename" dj-click="rename">rename</button><button id="add" dj-click="add">add</button>
<button id="drop" dj-click="drop">drop</button><button id="move" dj-click="move">move</button>"""

    def mount(self, request, **kwargs):
        self.rows = [{"id": i, "name": f"row {i}"} for i in (1, 2, 3)]

    @event_handler
    def rename(self):
        self.rows[0] = {**self.rows[0], "name": self.rows[0]["name"] + "!"}

    @event_handler
    def add(self):
        self.rows = [*self.rows, {"id": 4, "name": "row 4"}]

    @event_handler
    def drop(self):
        self.rows = [r for r in self.rows if r["id"] != 2]

    @event_handler
    def move(self):
        self.rows = self.rows[-1:] + self.rows[:-1]
