"""Fill the demo database with a deterministic library (idempotent)."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from books.models import Author, Book, Tag

AUTHORS = [
    ("Ursula K. Le Guin", "United States"),
    ("Chinua Achebe", "Nigeria"),
    ("Italo Calvino", "Italy"),
    ("Wisława Szymborska", "Poland"),
    ("Haruki Murakami", "Japan"),
    ("Chimamanda Ngozi Adichie", "Nigeria"),
    ("Jorge Luis Borges", "Argentina"),
    ("Toni Morrison", "United States"),
]
TAGS = ["classic", "fantasy", "poetry", "essays", "short stories", "novel", "translated"]
WORDS = ["river", "glass", "winter", "city", "garden", "letter", "mirror", "night", "harbour", "atlas"]


class Command(BaseCommand):
    help = "Load the demo library: authors, tags and books (the same every time)."

    def add_arguments(self, parser):
        parser.add_argument("--books", type=int, default=200, help="how many books (default 200)")

    @transaction.atomic
    def handle(self, *args, books, **options):
        if Book.objects.exists():
            self.stdout.write("Demo data already loaded.")
            return
        authors = [Author.objects.create(name=n, country=c) for n, c in AUTHORS]
        tags = [Tag.objects.create(name=t) for t in TAGS]
        for i in range(books):
            title = f"The {WORDS[i % len(WORDS)].title()} of {WORDS[(i * 7 + 3) % len(WORDS)].title()} {i + 1}"
            book = Book.objects.create(
                title=title,
                author=authors[i % len(authors)],
                year=1950 + (i * 13) % 75,
                price=Decimal(5 + (i * 37) % 40) + Decimal("0.99"),
                summary=f"Book number {i + 1} of the demo library.",
            )
            book.tags.set([tags[i % len(tags)], tags[(i * 3 + 1) % len(tags)]])
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(authors)} authors, {len(tags)} tags, {books} books."))
