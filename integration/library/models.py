"""A realistic library schema for the ORM planner's integration suite.

Every relation kind the planner handles appears once: forward FKs (one
nullable), a forward and a reverse one-to-one, reverse FKs, a many-to-many
seen from both sides, a model property and methods read by templates.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Country(models.Model):
    name = models.CharField(max_length=60)
    code = models.CharField(max_length=2)
    population = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=100)
    bio = models.TextField(blank=True)
    born = models.PositiveIntegerField()
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="authors")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.country.code})"

    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split())


class Profile(models.Model):
    author = models.OneToOneField(Author, on_delete=models.CASCADE, related_name="profile")
    website = models.CharField(max_length=200)
    followers = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.website


class Publisher(models.Model):
    name = models.CharField(max_length=100)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="publishers")
    founded = models.PositiveIntegerField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Reader(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField()
    joined = models.PositiveIntegerField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    FORMATS = [("hc", "Hardcover"), ("pb", "Paperback"), ("eb", "E-book")]

    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13)
    year = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=7, decimal_places=2)
    format = models.CharField(max_length=2, choices=FORMATS)
    summary = models.TextField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="books")
    tags = models.ManyToManyField(Tag, related_name="books", blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})"

    def byline(self) -> str:
        return f"{self.title} by {self.author.name}"

    def top_reviews(self) -> models.QuerySet:
        return self.reviews.filter(rating__gte=4)


class Edition(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="editions")
    number = models.PositiveIntegerField()
    printed = models.PositiveIntegerField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Edition {self.number}"


class PublishedChapters(models.Manager):
    """A custom default manager: drafts are never shown (also through book.chapters)."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().exclude(title__startswith="Draft")


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    words = models.PositiveIntegerField()

    all_chapters = models.Manager()
    objects = PublishedChapters()

    class Meta:
        ordering = ["number"]
        default_manager_name = "objects"
        base_manager_name = "all_chapters"

    def __str__(self) -> str:
        return self.title


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.rating}/5"


class AudioBook(Book):
    """Multi-table inheritance: a Book row plus this one."""

    narrator = models.CharField(max_length=100)
    minutes = models.PositiveIntegerField()


class ClassicBook(Book):
    """A proxy: same table, its own default ordering."""

    class Meta:
        proxy = True
        ordering = ["year", "title"]


class Note(models.Model):
    """A generic foreign key (the planner leaves it to Django)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
