"""Deterministic seed data: the same rows, ids and order on every database."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from library.models import (
    AudioBook,
    Author,
    Book,
    Chapter,
    Country,
    Edition,
    Note,
    Profile,
    Publisher,
    Reader,
    Review,
    Tag,
)

WORDS = ["amber", "basalt", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "juniper", "kestrel"]


def seed(books: int = 24, extras: bool = True) -> None:
    """Create ``books`` books with authors, publishers, tags, reviews, chapters and editions;
    with ``extras``, also audio books (inheritance) and notes (generic foreign keys)."""
    countries = Country.objects.bulk_create(
        Country(name=name, code=code, population=1_000_000 * (i + 1))
        for i, (name, code) in enumerate([("Norway", "NO"), ("Chile", "CL"), ("Japan", "JP"), ("Kenya", "KE")])
    )
    n_authors = max(books // 3, 2)
    authors = Author.objects.bulk_create(
        Author(
            name=f"{WORDS[i % 11].title()} {WORDS[(i * 7 + 3) % 11].title()} {i}",
            bio=f"Bio of author {i}. " * 20,
            born=1940 + i % 50,
            country=countries[i % len(countries)],
        )
        for i in range(n_authors)
    )
    # Every other author has a profile (reverse one-to-one may be missing).
    Profile.objects.bulk_create(
        Profile(author=a, website=f"https://example.invalid/{a.pk}", followers=a.pk * 13) for a in authors if a.pk % 2
    )
    publishers = Publisher.objects.bulk_create(
        Publisher(name=f"{WORDS[i].title()} Press", country=countries[i] if i % 3 else None, founded=1900 + i * 7)
        for i in range(4)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=word, slug=word, description=f"All about {word}. " * 10) for word in WORDS[:8]
    )
    readers = Reader.objects.bulk_create(
        Reader(name=f"Reader {i:03d}", email=f"r{i}@example.invalid", joined=2000 + i % 20) for i in range(12)
    )
    created = Book.objects.bulk_create(
        Book(
            title=f"The {WORDS[i % 11].title()} {WORDS[(i * 5 + 1) % 11]} {i:04d}",
            isbn=f"978{i:010d}",
            year=1950 + (i * 7) % 70,
            pages=100 + (i * 37) % 600,
            price=Decimal(5 + i % 40) + Decimal("0.99"),
            format=["hc", "pb", "eb"][i % 3],
            summary=f"Summary of book {i}. " * 30,
            author=authors[i % n_authors],
            publisher=publishers[i % len(publishers)],
        )
        for i in range(books)
    )
    through = Book.tags.through
    through.objects.bulk_create(
        through(book_id=b.pk, tag_id=tags[(i + k) % len(tags)].pk) for i, b in enumerate(created) for k in range(i % 4)
    )
    Review.objects.bulk_create(
        Review(book=b, reader=readers[(i * 3 + k) % len(readers)], rating=1 + (i + k) % 5, body=f"Review {k} " * 15)
        for i, b in enumerate(created)
        for k in range(i % 5)
    )
    Chapter.objects.bulk_create(
        Chapter(book=b, number=k + 1, title=f"Chapter {k + 1}", words=1000 + 10 * i + k)
        for i, b in enumerate(created)
        for k in range(1 + i % 3)
    )
    # Drafts, hidden by Chapter's default manager.
    Chapter.objects.bulk_create(
        Chapter(book=b, number=99, title="Draft ending", words=1) for i, b in enumerate(created) if i % 5 == 0
    )
    Edition.objects.bulk_create(
        Edition(book=b, number=k + 1, printed=1990 + k * 5) for i, b in enumerate(created) for k in range(i % 2 + 1)
    )
    if not extras:
        return
    for i in range(3):
        AudioBook.objects.create(
            title=f"Audio {WORDS[i]}",
            isbn=f"979{i:010d}",
            year=2001 + i,
            pages=1,
            price=Decimal("9.99"),
            format="eb",
            summary="Heard, not read. " * 10,
            author=authors[i % n_authors],
            publisher=publishers[i],
            narrator=f"Narrator {i}",
            minutes=300 + i,
        )
    book_type = ContentType.objects.get_for_model(Book)
    author_type = ContentType.objects.get_for_model(Author)
    Note.objects.bulk_create(
        Note(
            content_type=book_type if i % 2 else author_type,
            object_id=(created[i] if i % 2 else authors[i % n_authors]).pk,
            text=f"Note {i}",
        )
        for i in range(6)
    )


def clear() -> None:
    """Delete every library row (children first)."""
    for model in (Note, Review, Chapter, Edition, AudioBook, Book, Tag, Profile, Author, Publisher, Reader, Country):
        model._base_manager.all().delete()
