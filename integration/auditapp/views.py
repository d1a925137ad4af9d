"""Pages for the audit tests: the same templates fed unoptimised and
optimised querysets, a route with arguments, a login-only page, a page with
exact duplicates, a LiveView page and a broken page; and every template of
the ORM suite's library app, with and without ``djust.optimize``."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from library.models import Author as LibraryAuthor
from library.models import Book, Review
from library.models import Tag as LibraryTag

import djust
from auditapp.models import Comment, Post
from djust import LiveView


def posts(request: HttpRequest) -> HttpResponse:
    """N+1s: author (FK), tags (M2M) and comments (reverse FK) per post."""
    return render(request, "auditapp/posts.html", {"posts": Post.objects.filter(published=True).order_by("pk")})


def posts_optimised(request: HttpRequest) -> HttpResponse:
    """The same page, fixed by hand: three queries whatever the number of posts."""
    qs = (
        Post.objects.filter(published=True)
        .order_by("pk")
        .select_related("author")
        .prefetch_related("tags", Prefetch("comments", queryset=Comment.objects.select_related("author")))
    )
    return render(request, "auditapp/posts.html", {"posts": qs})


def posts_planned(request: HttpRequest) -> HttpResponse:
    """The same page, planned by djust from the template (as docs/auditing.md shows)."""
    qs = Post.objects.filter(published=True).order_by("pk")
    qs = djust.optimize(qs, template="auditapp/posts.html", name="posts")
    return render(request, "auditapp/posts.html", {"posts": qs})


def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A route with an argument; its comments' authors are an N+1."""
    post = get_object_or_404(Post, pk=pk)
    return render(request, "auditapp/post_detail.html", {"post": post, "comments": post.comments.order_by("pk")})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The logged-in author's posts; tags per post are an N+1."""
    return render(
        request, "auditapp/mine.html", {"posts": Post.objects.filter(author__user=request.user).order_by("pk")}
    )


def counts(request: HttpRequest) -> HttpResponse:
    """No N+1, but the template counts the same queryset twice: an exact duplicate."""
    return render(request, "auditapp/counts.html", {"posts": Post.objects.filter(published=True)})


def counted(request: HttpRequest) -> HttpResponse:
    """An N+1 in a model method (``post.comment_total``): djust.optimize cannot remove it."""
    return render(request, "auditapp/counted.html", {"posts": Post.objects.filter(published=True).order_by("pk")})


class LivePosts(LiveView):
    """A LiveView page with the posts page's N+1s, rendered by djust's live engine."""

    template_name = "auditapp/live_posts.html"

    def get_context_data(self) -> dict:
        context = super().get_context_data()
        context["posts"] = Post.objects.filter(published=True).order_by("pk")
        return context


def broken(request: HttpRequest) -> HttpResponse:
    """A page that raises: the audit reports it and --fail exits 3."""
    raise RuntimeError("this page is broken on purpose")


# --- the ORM suite's library templates, unoptimised and through djust.optimize ---

LIBRARY_PAGES: dict[str, tuple[str, str, Callable[[], QuerySet]]] = {
    "fk1": ("library/fk1.html", "books", lambda: Book.objects.all()),
    "fk2": ("library/fk2.html", "books", lambda: Book.objects.all()),
    "fk3": ("library/fk3.html", "reviews", lambda: Review.objects.all()),
    "nullable": ("library/nullable.html", "books", lambda: Book.objects.all()),
    "reverse-o2o": ("library/reverse_o2o.html", "authors", lambda: LibraryAuthor.objects.all()),
    "reverse-fk": ("library/reverse_fk.html", "books", lambda: Book.objects.all()),
    "m2m": ("library/m2m.html", "books", lambda: Book.objects.all()),
    "m2m-reverse": ("library/m2m_reverse.html", "tags", lambda: LibraryTag.objects.all()),
    "nested3": ("library/nested3.html", "authors", lambda: LibraryAuthor.objects.all()),
    "counts": ("library/counts.html", "books", lambda: Book.objects.all()),
    "with": ("library/with.html", "books", lambda: Book.objects.all()),
    "include": ("library/include.html", "books", lambda: Book.objects.all()),
    "extends": ("library/extends.html", "books", lambda: Book.objects.all()),
    "parentloop": ("library/parentloop.html", "authors", lambda: LibraryAuthor.objects.all()),
    "regroup": ("library/regroup.html", "books", lambda: Book.objects.order_by("author__name", "title")),
    "methods": ("library/methods.html", "books", lambda: Book.objects.all()),
    "scalar": ("library/scalar.html", "books", lambda: Book.objects.all()),
    "filtered": (
        "library/filtered.html",
        "books",
        lambda: Book.objects.filter(year__gte=1980).exclude(pages__lt=150).order_by("-year", "title"),
    ),
    "slice": ("library/slice.html", "books", lambda: Book.objects.all()),
    "firstof-cycle": ("library/firstof_cycle.html", "books", lambda: Book.objects.all()),
    "if-relation": ("library/if_relation.html", "books", lambda: Book.objects.all()),
    "dictsort": ("library/dictsort.html", "books", lambda: Book.objects.all()),
    "first": ("library/first.html", "books", lambda: Book.objects.all()),
    "chapters": ("library/chapters.html", "books", lambda: Book.objects.all()),
}


def library_page(slug: str, *, optimised: bool) -> Callable[[HttpRequest], HttpResponse]:
    """A page rendering one library template; ``optimised`` passes its queryset through djust.optimize."""
    template, name, queryset = LIBRARY_PAGES[slug]

    def view(request: HttpRequest) -> HttpResponse:
        qs = queryset()
        if optimised:
            qs = djust.optimize(qs, template=template, name=name)
        return render(request, template, {name: qs})

    view.__name__ = f"library_{slug.replace('-', '_')}{'_optimised' if optimised else ''}"
    return view
