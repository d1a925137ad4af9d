from django.shortcuts import render

from .models import Author, Book


def index(request):
    books = Book.objects.select_related("author").prefetch_related("tags")[:50]
    return render(
        request,
        "books/index.html",
        {"books": books, "book_count": Book.objects.count(), "author_count": Author.objects.count()},
    )
