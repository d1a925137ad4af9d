"""The benchmark's library schema again, on django-auto-prefetch's base classes,
so the same template can be rendered against it for comparison."""

import auto_prefetch
from django.db import models


class Country(auto_prefetch.Model):
    name = models.CharField(max_length=60)
    code = models.CharField(max_length=2)
    population = models.BigIntegerField(default=0)

    class Meta(auto_prefetch.Model.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Author(auto_prefetch.Model):
    name = models.CharField(max_length=100)
    bio = models.TextField(blank=True)
    born = models.PositiveIntegerField()
    country = auto_prefetch.ForeignKey(Country, on_delete=models.CASCADE, related_name="authors")

    class Meta(auto_prefetch.Model.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Publisher(auto_prefetch.Model):
    name = models.CharField(max_length=100)
    country = auto_prefetch.ForeignKey(Country, null=True, on_delete=models.SET_NULL, related_name="publishers")
    founded = models.PositiveIntegerField()

    class Meta(auto_prefetch.Model.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(auto_prefetch.Model):
    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40)
    description = models.TextField(blank=True)

    class Meta(auto_prefetch.Model.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Book(auto_prefetch.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13)
    year = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=7, decimal_places=2)
    format = models.CharField(max_length=2)
    summary = models.TextField()
    author = auto_prefetch.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    publisher = auto_prefetch.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="books")
    tags = models.ManyToManyField(Tag, related_name="books")

    class Meta(auto_prefetch.Model.Meta):
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Review(auto_prefetch.Model):
    book = auto_prefetch.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField()

    class Meta(auto_prefetch.Model.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.rating}/5"
