"""Deterministic data: 3 authors, 4 tags, 6 posts (5 published), 2 comments
per post, and the user ``ada`` (password ``ada``) who is the first author."""

from django.contrib.auth import get_user_model

from auditapp.models import Author, Comment, Post, Tag

AUTHORS = ["Ada Lovelace", "Grace Hopper", "Barbara Liskov"]
TAGS = ["rust", "django", "sql", "html"]
POSTS = 6
COMMENTS_PER_POST = 2


def load() -> None:
    """Create the data (idempotent: does nothing if the posts exist)."""
    if Post.objects.exists():
        return
    user = get_user_model().objects.create_user("ada", password="ada")
    authors = [Author.objects.create(name=name, user=user if i == 0 else None) for i, name in enumerate(AUTHORS)]
    tags = [Tag.objects.create(name=name) for name in TAGS]
    for i in range(POSTS):
        post = Post.objects.create(
            title=f"Post {i + 1}",
            body=f"Body of post {i + 1}.",
            published=i != POSTS - 1,
            author=authors[i % len(authors)],
        )
        post.tags.set([tags[i % len(tags)], tags[(i + 1) % len(tags)]])
        for j in range(COMMENTS_PER_POST):
            Comment.objects.create(
                post=post, author=authors[(i + j + 1) % len(authors)], body=f"Comment {j + 1} on post {i + 1}"
            )
