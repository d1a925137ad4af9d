"""Model property/method analysis (Python's ast), on plain classes."""

from functools import cached_property

from djust.introspect import analyse_model


class Base:
    def __str__(self) -> str:
        return self.name

    @property
    def display(self) -> str:
        return f"{self.name} ({self.country.code})"


class Thing(Base):
    @cached_property
    def headline(self) -> str:
        return self.title.upper() + self.display

    def tag_names(self) -> str:
        return ", ".join(t.name for t in self.tags.all())

    def newest(self) -> object:
        return self.reviews.filter(rating__gt=3).first()

    def dynamic(self) -> object:
        attr = "name"
        return getattr(self, attr)

    def with_argument(self, other: object) -> object:
        return other

    def n_reviews(self) -> int:
        return self.reviews.count()


def test_reads_are_self_paths() -> None:
    info = analyse_model(Thing)
    assert info["__str__"] == {"kind": "method", "reads": [["name"]], "reason": None}
    assert info["display"]["reads"] == [["name"], ["country", "code"]]
    assert info["headline"] == {"kind": "cached_property", "reads": [["title", "upper"], ["display"]], "reason": None}
    assert info["n_reviews"]["reads"] == [["reviews", "count"]]


def test_iterating_a_manager_reads_its_elements_opaquely() -> None:
    assert analyse_model(Thing)["tag_names"]["reads"] == [["tags", "all", "[]", "*"]]


def test_a_query_of_its_own_loads_the_relation_whole_and_says_so() -> None:
    newest = analyse_model(Thing)["newest"]
    assert newest["reads"] == [["reviews", "all", "[]", "*"]]
    assert newest["reason"] == "runs its own query (self.reviews.filter())"


def test_unanalysable_sources_say_why() -> None:
    info = analyse_model(Thing)
    assert info["dynamic"]["reads"] is None
    assert info["dynamic"]["reads"] is None
    assert "getattr" in (info["dynamic"]["reason"] or "")


def test_methods_templates_cannot_call_are_skipped() -> None:
    assert "with_argument" not in analyse_model(Thing)
