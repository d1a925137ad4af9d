"""A small blog: every kind of relation a template can walk into an N+1.

Post.author is a forward FK (select_related), Post.tags an M2M and
Post.comments a reverse FK (prefetch_related), Comment.author a FK reached
through a prefetch.
"""

from django.conf import settings
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    published = models.BooleanField(default=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)

    def __str__(self) -> str:
        return self.title

    def comment_total(self) -> int:
        """A query of its own: no plan can fetch this with the post."""
        return Comment.objects.filter(post_id=self.pk).count()


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()

    def __str__(self) -> str:
        return self.body[:30]
