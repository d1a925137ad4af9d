//! Extraction from vdom's AST: each construct the planner follows.
use std::sync::Arc;

use djust_planner::{extract, AccessNode};
use djust_vdom::filters::Arity;
use djust_vdom::{CustomFilter, Environment, Library, MapLoader, Options, Value};

/// A stand-in for a filter: extraction goes by the filter's name only, so
/// these tests do not depend on which built-in filters the engine ships.
struct Named(Arity);

impl CustomFilter for Named {
    fn arity(&self) -> Arity {
        self.0
    }

    fn call(
        &self,
        value: Value,
        _arg: Option<Value>,
        _autoescape: bool,
    ) -> djust_vdom::Result<Value> {
        Ok(value)
    }
}

fn env(templates: &[(&str, &str)]) -> Environment {
    let mut loader = MapLoader::new();
    for (name, code) in templates {
        loader.insert(*name, *code);
    }
    let mut env = Environment::new(Arc::new(loader), Options::default());
    let mut library = Library::new();
    for (name, arity) in [
        ("length", Arity::None),
        ("first", Arity::None),
        ("last", Arity::None),
        ("slice", Arity::Required),
        ("dictsort", Arity::Required),
    ] {
        library.add_filter(name, Arc::new(Named(arity)));
    }
    env.add_builtin_library(library);
    env
}

/// The paths read from `name` in the first template, as dotted strings.
fn paths(templates: &[(&str, &str)], name: &str) -> Vec<String> {
    let env = env(templates);
    let template = env.get_template(templates[0].0).expect("parses");
    let extraction = extract(&env, &template).expect("extracts");
    extraction
        .accesses
        .name(name)
        .map(AccessNode::paths)
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.join("."))
        .collect()
}

fn tree(templates: &[(&str, &str)], name: &str) -> AccessNode {
    let env = env(templates);
    let template = env.get_template(templates[0].0).expect("parses");
    extract(&env, &template)
        .expect("extracts")
        .accesses
        .name(name)
        .cloned()
        .unwrap_or_default()
}

#[test]
fn for_loops_follow_the_loop_variable() {
    let p = paths(
        &[("t", "{% for b in books %}{{ b.author.country.name }}{% for t in b.tags.all %}{{ t.name }}{% endfor %}{% endfor %}")],
        "books",
    );
    assert!(p.contains(&"[].author.country.name".to_owned()), "{p:?}");
    assert!(p.contains(&"[].tags.all.[].name".to_owned()), "{p:?}");
    let t = tree(
        &[(
            "t",
            "{% for b in books %}{{ b.tags.all|length }}{% endfor %}",
        )],
        "books",
    );
    assert!(t.iterated);
    assert!(t.get(&["[]", "tags", "all"]).is_some_and(|n| n.length));
}

#[test]
fn unpacking_and_parentloop() {
    let p = paths(
        &[("t", "{% for a in authors %}{% for b in a.books.all %}{{ forloop.parentloop.counter }}{{ b.title }}{{ a.name }}{% endfor %}{% endfor %}")],
        "authors",
    );
    assert_eq!(
        p,
        vec![
            "[]",
            "[].books",
            "[].books.all",
            "[].books.all.[]",
            "[].books.all.[].title",
            "[].name"
        ]
    );
    let p = paths(
        &[("t", "{% for x, y in pairs %}{{ x.a }}{{ y.b }}{% endfor %}")],
        "pairs",
    );
    assert_eq!(p, vec!["[]", "[].0", "[].0.a", "[].1", "[].1.b"]);
}

#[test]
fn with_and_truthiness() {
    let t = tree(
        &[("t", "{% for b in books %}{% with p=b.publisher %}{% if p.country %}{{ p.country.name }}{% endif %}{% endwith %}{% endfor %}")],
        "books",
    );
    assert!(t
        .get(&["[]", "publisher", "country"])
        .is_some_and(|n| n.truthy));
    assert!(t
        .get(&["[]", "publisher", "country", "name"])
        .is_some_and(|n| n.rendered));
}

#[test]
fn include_with_only_and_origins() {
    let templates = [
        (
            "page",
            "<ul>\n{% for b in books %}\n{% include \"row\" with item=b only %}{% endfor %}</ul>",
        ),
        ("row", "<li>\n{{ item.title }}{{ books.count }}</li>"),
    ];
    let t = tree(&templates, "books");
    let title = t
        .get(&["[]", "title"])
        .expect("title read through the include");
    let origin = title.origin.as_ref().expect("origin");
    assert_eq!((origin.template.as_str(), origin.line), ("row", 2));
    assert!(
        t.get(&["count"]).is_none(),
        "`only` hides the outer context"
    );
}

#[test]
fn extends_resolves_blocks_and_block_super() {
    let templates = [
        ("child", "{% extends \"base\" %}{% block a %}{{ books.0.title }}{{ block.super }}{% endblock %}{% block b %}{{ books|length }}{% endblock %}"),
        ("base", "{% block a %}{{ books.0.isbn }}{% endblock %}{% block b %}{{ books.0.summary }}{% endblock %}{% block c %}{{ books.0.year }}{% endblock %}"),
    ];
    let p = paths(&templates, "books");
    assert!(
        p.contains(&"0.title".to_owned()) && p.contains(&"0.isbn".to_owned()),
        "block.super: {p:?}"
    );
    assert!(
        !p.contains(&"0.summary".to_owned()),
        "overridden without block.super: {p:?}"
    );
    assert!(p.contains(&"0.year".to_owned()), "parent-only block: {p:?}");
    assert!(tree(&templates, "books").length);
}

#[test]
fn regroup_grouper_and_list() {
    let p = paths(
        &[("t", "{% regroup books by author as g %}{% for grp in g %}{{ grp.grouper.name }}{% for b in grp.list %}{{ b.title }}{% endfor %}{% endfor %}")],
        "books",
    );
    assert!(p.contains(&"[].author.name".to_owned()), "{p:?}");
    assert!(p.contains(&"[].title".to_owned()), "{p:?}");
}

#[test]
fn firstof_cycle_and_pass_through_filters() {
    let t = tree(
        &[("t", "{% for b in books|slice:\":5\" %}{% cycle b.isbn 'x' %}{% firstof b.subtitle b.title %}{% endfor %}{% with top=books|last %}{{ top.pages }}{% endwith %}{% for b in books|dictsort:\"author.name\" %}{% endfor %}")],
        "books",
    );
    for path in [
        &["[]", "isbn"][..],
        &["[]", "subtitle"],
        &["[]", "title"],
        &["[]", "pages"],
        &["[]", "author", "name"],
    ] {
        assert!(t.get(path).is_some(), "{path:?} in {:?}", t.paths());
    }
    assert!(t
        .get(&["[]", "subtitle"])
        .is_some_and(|n| n.truthy && n.rendered));
}

#[test]
fn dynamic_include_is_an_error_not_a_guess() {
    let env = env(&[("t", "{% include name %}")]);
    let template = env.get_template("t").expect("parses");
    assert!(extract(&env, &template).is_err());
}

#[test]
fn fingerprint_covers_included_sources() {
    let a = env(&[("t", "{% include \"i\" %}"), ("i", "{{ x.a }}")]);
    let b = env(&[("t", "{% include \"i\" %}"), ("i", "{{ x.b }}")]);
    let fa = extract(&a, &a.get_template("t").expect("t"))
        .expect("a")
        .fingerprint;
    let fb = extract(&b, &b.get_template("t").expect("t"))
        .expect("b")
        .fingerprint;
    assert_ne!(fa, fb);
}
