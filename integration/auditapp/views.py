"""Pages for the audit tests: the same templates fed unoptimised and
optimised querysets, a route with arguments, a login-only page, a page with
exact duplicates and a broken page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from auditapp.models import Comment, Post


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


def broken(request: HttpRequest) -> HttpResponse:
    """A page that raises: the audit reports it and --fail exits 3."""
    raise RuntimeError("this page is broken on purpose")
