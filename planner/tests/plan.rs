//! Planner tests over a hand-built schema (no Python).
use djust_planner::schema::SchemaData;
use djust_planner::{plan, AccessNode, SchemaGraph, Shape};
use serde_json::json;

fn field(name: &str) -> serde_json::Value {
    json!({"name": name, "attname": name, "column": name})
}

fn fk(name: &str) -> serde_json::Value {
    json!({"name": name, "attname": format!("{name}_id"), "column": format!("{name}_id"), "is_relation": true})
}

fn schema() -> SchemaGraph {
    let data: SchemaData = serde_json::from_value(json!({
        "version": "test-1",
        "models": [
            {"label": "lib.Country", "name": "Country", "table": "country", "pk": "id", "pk_attname": "id",
             "fields": [field("id"), field("name"), field("code")],
             "relations": [{"name": "authors", "kind": "reverse_fk", "target": "lib.Author", "remote_field": "country"}]},
            {"label": "lib.Author", "name": "Author", "table": "author", "pk": "id", "pk_attname": "id",
             "fields": [field("id"), field("name"), field("bio"), fk("country")],
             "relations": [
                {"name": "country", "kind": "forward_fk", "target": "lib.Country", "nullable": true},
                {"name": "books", "kind": "reverse_fk", "target": "lib.Book", "remote_field": "author"},
                {"name": "profile", "kind": "reverse_o2o", "target": "lib.Profile", "remote_field": "author"}],
             "attributes": {
                "__str__": {"kind": "method", "reads": [["name"]]},
                "display": {"kind": "property", "reads": [["name"], ["country", "code"]]},
                "opaque": {"kind": "method", "reads": null, "reason": "calls getattr"},
                "loop_a": {"kind": "property", "reads": [["loop_b"]]},
                "loop_b": {"kind": "property", "reads": [["loop_a"], ["bio"]]},
                "book_list": {"kind": "method", "reads": [["books", "all", "[]", "*"]]},
                "book_count": {"kind": "property", "reads": [["books", "count"]]}}},
            {"label": "lib.Profile", "name": "Profile", "table": "profile", "pk": "id", "pk_attname": "id",
             "fields": [field("id"), fk("author"), field("website")],
             "relations": [{"name": "author", "kind": "forward_o2o", "target": "lib.Author"}]},
            {"label": "lib.Tag", "name": "Tag", "table": "tag", "pk": "id", "pk_attname": "id",
             "fields": [field("id"), field("name"), field("slug")],
             "relations": [{"name": "books", "kind": "reverse_m2m", "target": "lib.Book"}]},
            {"label": "lib.Review", "name": "Review", "table": "review", "pk": "id", "pk_attname": "id",
             "fields": [field("id"), fk("book"), field("rating"), field("body")],
             "relations": [{"name": "book", "kind": "forward_fk", "target": "lib.Book"}]},
            {"label": "lib.Book", "name": "Book", "table": "book", "pk": "id", "pk_attname": "id",
             "fields": [field("id"), field("title"), field("summary"), fk("author"), fk("content_type"), field("object_id")],
             "relations": [
                {"name": "author", "kind": "forward_fk", "target": "lib.Author"},
                {"name": "tags", "kind": "m2m", "target": "lib.Tag", "through": "lib.Book_tags"},
                {"name": "reviews", "kind": "reverse_fk", "target": "lib.Review", "remote_field": "book"},
                {"name": "target", "kind": "generic_fk", "target": null, "generic_fields": ["content_type", "object_id"]}]}
        ]
    }))
    .expect("test schema");
    SchemaGraph::new(data).expect("valid")
}

/// Accesses of `books` as a template looping `for book in books` would give.
fn loop_over(paths: &[&[&str]]) -> AccessNode {
    let mut root = AccessNode {
        iterated: true,
        ..AccessNode::default()
    };
    for path in paths {
        let mut full = vec!["[]"];
        full.extend_from_slice(path);
        root.path_mut(&full).rendered = true;
    }
    root
}

fn planned(paths: &[&[&str]]) -> djust_planner::Plan {
    plan(&schema(), "lib.Book", &loop_over(paths), &Shape::default()).expect("plan")
}

#[test]
fn scalar_only_page_restricts_columns() {
    let p = planned(&[&["title"]]);
    assert!(p.root.select_related.is_empty());
    assert!(p.root.prefetches.is_empty());
    assert_eq!(p.root.only, Some(vec!["id".into(), "title".into()]));
}

#[test]
fn fk_chain_becomes_one_join_with_keys() {
    let p = planned(&[&["title"], &["author", "country", "name"]]);
    assert_eq!(p.root.select_related, vec!["author__country".to_owned()]);
    assert_eq!(
        p.root.only,
        Some(
            [
                "id",
                "title",
                "author",
                "author__id",
                "author__country",
                "author__country__id",
                "author__country__name"
            ]
            .map(String::from)
            .to_vec()
        )
    );
}

#[test]
fn reverse_fk_prefetch_keeps_the_back_key() {
    let mut root = loop_over(&[&["title"]]);
    root.path_mut(&["[]", "reviews", "all", "[]", "rating"])
        .rendered = true;
    root.path_mut(&["[]", "reviews", "all"]).iterated = true;
    let p = plan(&schema(), "lib.Book", &root, &Shape::default()).expect("plan");
    assert_eq!(p.root.prefetches.len(), 1);
    let pre = &p.root.prefetches[0];
    assert_eq!(pre.lookup, "reviews");
    assert_eq!(
        pre.queryset.only,
        Some(["id", "book", "rating"].map(String::from).to_vec())
    );
}

#[test]
fn count_needs_only_keys_and_m2m_needs_no_back_key() {
    let mut root = loop_over(&[]);
    root.path_mut(&["[]", "reviews", "count"]);
    root.path_mut(&["[]", "tags", "all"]).length = true;
    let p = plan(&schema(), "lib.Book", &root, &Shape::default()).expect("plan");
    let lookups: Vec<_> = p
        .root
        .prefetches
        .iter()
        .map(|p| (p.lookup.as_str(), p.queryset.only.clone()))
        .collect();
    assert_eq!(
        lookups,
        vec![
            ("reviews", Some(vec!["id".to_owned(), "book".to_owned()])),
            ("tags", Some(vec!["id".to_owned()])),
        ]
    );
}

#[test]
fn bare_manager_does_not_prefetch() {
    let mut root = loop_over(&[]);
    root.path_mut(&["[]", "tags"]).truthy = true;
    let p = plan(&schema(), "lib.Book", &root, &Shape::default()).expect("plan");
    assert!(p.root.prefetches.is_empty());
}

#[test]
fn prefetch_through_a_join_and_nested_select_related() {
    let mut root = loop_over(&[]);
    root.path_mut(&[
        "[]", "author", "books", "all", "[]", "reviews", "all", "[]", "book", "title",
    ])
    .rendered = true;
    let p = plan(&schema(), "lib.Book", &root, &Shape::default()).expect("plan");
    assert_eq!(p.root.select_related, vec!["author".to_owned()]);
    let books = &p.root.prefetches[0];
    assert_eq!(books.lookup, "author__books");
    assert_eq!(books.queryset.prefetches[0].lookup, "reviews");
    assert_eq!(
        books.queryset.prefetches[0].queryset.select_related,
        vec!["book".to_owned()]
    );
}

#[test]
fn reverse_o2o_is_a_join_that_keeps_its_back_key() {
    let mut root = loop_over(&[]);
    root.path_mut(&["[]", "author", "profile", "website"])
        .rendered = true;
    let p = plan(&schema(), "lib.Book", &root, &Shape::default()).expect("plan");
    assert_eq!(p.root.select_related, vec!["author__profile".to_owned()]);
    let only = p.root.only.expect("only");
    assert!(only.contains(&"author__profile__author".to_owned()));
    assert!(only.contains(&"author__profile__website".to_owned()));
    assert!(!only.contains(&"author__profile".to_owned()));
}

#[test]
fn str_and_properties_are_followed() {
    let p = planned(&[&["author"], &["author", "display"]]);
    assert_eq!(p.root.select_related, vec!["author__country".to_owned()]);
    let only = p.root.only.expect("only");
    assert!(only.contains(&"author__name".to_owned()));
    assert!(only.contains(&"author__country__code".to_owned()));
}

#[test]
fn unanalysable_method_is_conservative_for_its_model_and_says_so() {
    let p = planned(&[&["title"], &["author", "opaque"]]);
    let only = p.root.only.expect("only");
    assert!(
        only.contains(&"author__bio".to_owned()),
        "every Author column: {only:?}"
    );
    assert!(
        !only.contains(&"summary".to_owned()),
        "Book stays restricted"
    );
    assert!(p
        .notes
        .iter()
        .any(|n| n.contains("opaque") && n.contains("calls getattr")));
}

#[test]
fn generic_fk_is_noted_and_keeps_its_keys() {
    let p = planned(&[&["target"]]);
    assert!(p.notes.iter().any(|n| n.contains("unplannable")));
    let only = p.root.only.expect("only");
    assert!(only.contains(&"content_type".to_owned()) && only.contains(&"object_id".to_owned()));
}

#[test]
fn shape_passthrough_and_custom_prefetch() {
    let shape = Shape {
        passthrough: Some("values() rows are dicts".into()),
        ..Shape::default()
    };
    let p = plan(&schema(), "lib.Book", &loop_over(&[&["title"]]), &shape).expect("plan");
    assert!(p.root.is_empty());
    assert_eq!(p.to_string(), "# not planned: values() rows are dicts\nqs");

    let mut root = loop_over(&[]);
    root.path_mut(&["[]", "reviews", "all"]).iterated = true;
    let shape = Shape {
        custom_prefetches: vec!["reviews".into()],
        ..Shape::default()
    };
    let p = plan(&schema(), "lib.Book", &root, &shape).expect("plan");
    assert!(p.root.prefetches.is_empty());
}

#[test]
fn unknown_model_is_an_error() {
    assert!(plan(
        &schema(),
        "lib.Nope",
        &AccessNode::default(),
        &Shape::default()
    )
    .is_err());
}

#[test]
fn display_is_python() {
    let mut root = loop_over(&[&["title"], &["author", "name"]]);
    root.path_mut(&["[]", "tags", "all", "[]", "name"]).rendered = true;
    let p = plan(&schema(), "lib.Book", &root, &Shape::default()).expect("plan");
    assert_eq!(
        p.to_string(),
        "from django.db.models import Prefetch\n\n\
         qs.select_related(\"author\").prefetch_related(\n    \
         Prefetch(\"tags\", queryset=Tag.objects.only(\"id\", \"name\")),\n\
         ).only(\"id\", \"title\", \"author\", \"author__id\", \"author__name\")"
    );
}

#[test]
fn mutually_recursive_properties_terminate() {
    let p = planned(&[&["author", "loop_a"]]);
    assert!(p
        .root
        .only
        .expect("only")
        .contains(&"author__bio".to_owned()));
}

#[test]
fn method_iterating_a_manager_prefetches_every_column() {
    let p = planned(&[&["author", "book_list"]]);
    let pre = &p.root.prefetches[0];
    assert_eq!(pre.lookup, "author__books");
    assert!(
        pre.queryset.only.is_none(),
        "all Book columns: {:?}",
        pre.queryset.only
    );
}

#[test]
fn learned_reads_widen_every_instance_of_the_model() {
    let shape = Shape {
        learned: vec![
            ("lib.Author".into(), "country".into()),
            ("lib.Book".into(), "reviews".into()),
        ],
        ..Shape::default()
    };
    let p = plan(
        &schema(),
        "lib.Book",
        &loop_over(&[&["author", "name"]]),
        &shape,
    )
    .expect("plan");
    assert_eq!(p.root.select_related, vec!["author__country".to_owned()]);
    assert_eq!(p.root.prefetches[0].lookup, "reviews");
    assert!(p.notes.iter().any(|n| n.contains("Author.country")));
}

#[test]
fn user_select_related_and_only_are_kept() {
    let shape = Shape {
        select_related: vec!["author__country".into()],
        only: vec!["summary".into()],
        ..Shape::default()
    };
    let p = plan(&schema(), "lib.Book", &loop_over(&[&["title"]]), &shape).expect("plan");
    assert_eq!(p.root.select_related, vec!["author__country".to_owned()]);
    let only = p.root.only.expect("only");
    assert!(only.contains(&"summary".to_owned()) && only.contains(&"author__country".to_owned()));
}

#[test]
fn a_relation_read_twice_is_joined_and_prefetched_once() {
    let mut root = loop_over(&[&["author", "book_count"], &["author", "name"]]);
    root.path_mut(&["[]", "author", "books", "all", "[]", "title"])
        .rendered = true;
    let p = plan(&schema(), "lib.Book", &root, &Shape::default()).expect("plan");
    assert_eq!(p.root.select_related, vec!["author".to_owned()]);
    assert_eq!(p.root.prefetches.len(), 1, "{p}");
    let only = p.root.prefetches[0].queryset.only.clone().expect("only");
    assert!(only.contains(&"title".to_owned()) && only.contains(&"author".to_owned()));
}
