"""The demo's live page: a counter, search-as-you-type over the books, and a validated form.

The book table is planned by ``djust.optimize`` from the template that shows
it, and the page shows how many queries loading it took.
"""

from django import forms
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

import djust
from djust import LiveView, event_handler

from .models import Author, Book

TEMPLATE = "books/live.html"
SHOWN = 50


class SuggestForm(forms.Form):
    title = forms.CharField(min_length=2, max_length=200)
    author = forms.ModelChoiceField(queryset=Author.objects.order_by("name"), empty_label="Pick an author")
    year = forms.IntegerField(min_value=1450, max_value=2100)
    price = forms.DecimalField(min_value=0, max_digits=7, decimal_places=2)


class Library(LiveView):
    """The whole demo on one live page."""

    template_name = TEMPLATE
    page_template_name = "books/index.html"
    page_title = "djust demo"

    def mount(self, request, **kwargs):
        self.count = 0
        self.query = ""
        self.form = SuggestForm()
        self.added = ""

    @event_handler
    def increment(self, by: int = 1):
        self.count += by

    @event_handler
    def reset(self):
        self.count = 0

    @event_handler
    def validate(self, form: SuggestForm):
        form.is_valid()
        self.form = form

    @event_handler
    def suggest(self, form: SuggestForm):
        if not form.is_valid():
            self.form = form
            return
        data = form.cleaned_data
        book = Book.objects.create(title=data["title"], author=data["author"], year=data["year"], price=data["price"])
        self.added = book.title
        self.form = SuggestForm()
        self.push_event("book-added", {"title": book.title})

    def get_context_data(self):
        context = super().get_context_data()
        books = Book.objects.all()
        if self.query:
            books = books.filter(Q(title__icontains=self.query) | Q(author__name__icontains=self.query))
        # Planned from the template: select_related author, prefetch tags, only() the shown columns.
        planned = djust.optimize(books, template=TEMPLATE, name="books")
        with CaptureQueriesContext(connection) as queries:
            shown = list(planned[:SHOWN])
            matches = books.count()
        context.update(
            books=shown,
            matches=matches,
            query_count=len(queries.captured_queries),
            book_count=Book.objects.count(),
            author_count=Author.objects.count(),
            authors=Author.objects.order_by("name"),
        )
        return context
