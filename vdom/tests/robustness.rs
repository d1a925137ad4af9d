//! No input makes the engine panic or overflow the stack: random bytes,
//! random tag soups, and pathological nesting all end in output or a clear
//! error.
use std::sync::Arc;

use djust_vdom::{DefaultHost, Environment, ErrorKind, MapLoader, Options, Value};
use proptest::prelude::*;

fn env_with(templates: &[(&str, &str)]) -> Environment {
    let mut loader = MapLoader::new();
    for (name, code) in templates {
        loader.insert(*name, *code);
    }
    Environment::new(Arc::new(loader), Options::default())
}

fn context() -> Value {
    let json = serde_json::json!({
        "a": 1, "s": "<x>", "l": [1, 2, 3], "d": {"k": "v"}, "n": null,
        "rows": [{"name": "a", "g": 1}, {"name": "b", "g": 2}]
    });
    Value::from(&json)
}

/// Parse and render; only the absence of a panic matters here.
fn exercise(env: &Environment, source: &str) {
    if let Ok(t) = env.from_string(source) {
        let _ = t.render(context(), &DefaultHost);
    }
}

const PIECES: &[&str] = &[
    "{% if a %}",
    "{% elif s %}",
    "{% else %}",
    "{% endif %}",
    "{% for x in l %}",
    "{% for k, v in d.items reversed %}",
    "{% empty %}",
    "{% endfor %}",
    "{{ x }}",
    "{{ a|add:1 }}",
    "{{ s|upper|default:'q' }}",
    "{% with b=a %}",
    "{% endwith %}",
    "{% block b %}",
    "{% endblock %}",
    "{% extends 'base' %}",
    "{% include 'inc' %}",
    "{% cycle 'p' 'q' as c %}",
    "{% cycle c %}",
    "{% resetcycle %}",
    "{% ifchanged %}",
    "{% endifchanged %}",
    "{% spaceless %}",
    "{% endspaceless %}",
    "{% verbatim %}",
    "{% endverbatim %}",
    "{% comment %}",
    "{% endcomment %}",
    "{# c #}",
    "{% autoescape off %}",
    "{% endautoescape %}",
    "{% filter lower %}",
    "{% endfilter %}",
    "{% firstof n a %}",
    "{% regroup rows by g as gr %}",
    "{% widthratio a 3 100 %}",
    "{% load i18n %}",
    "{% trans 'x' %}",
    "{% blocktrans %}",
    "{% endblocktrans %}",
    "{% templatetag openblock %}",
    "{% url 'x' as u %}",
    "{% lorem 2 w %}",
    "{{ block.super }}",
    "{{ forloop.counter }}",
    "{% if a == 1 and not n or s in l %}",
    "{% if not not not %}",
    "{{",
    "}}",
    "{%",
    "%}",
    "<p>",
    "text",
    "\n",
    "'",
    "\"",
    "|",
    ":",
    "_(",
    ")",
    "{{ _('x') }}",
    "{% csrf_token %}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let env = env_with(&[("base", "{% block b %}B{% endblock %}"), ("inc", "{{ a }}")]);
        exercise(&env, &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn tag_soup_never_panics(idx in proptest::collection::vec(0..PIECES.len(), 0..40)) {
        let env = env_with(&[
            ("base", "{% block b %}B{{ block.super }}{% endblock %}"),
            ("inc", "{% include 'inc' %}"),
        ]);
        let source: String = idx.iter().map(|i| PIECES[*i]).collect();
        exercise(&env, &source);
    }
}

#[test]
fn deep_nesting_is_a_syntax_error() {
    let env = env_with(&[]);
    let source = "{% if a %}".repeat(5000);
    let err = env.from_string(&source).expect_err("too deep");
    assert_eq!(err.kind(), ErrorKind::Syntax);
    assert!(err.detail().contains("nesting is too deep"), "{err}");
}

#[test]
fn deep_if_expression_is_a_syntax_error() {
    let env = env_with(&[]);
    let source = format!("{{% if {} a %}}x{{% endif %}}", "not ".repeat(5000));
    let err = env.from_string(&source).expect_err("too deep");
    assert_eq!(err.kind(), ErrorKind::Syntax);
}

#[test]
fn recursive_include_stops_with_an_error() {
    let env = env_with(&[("self", "x{% include 'self' %}")]);
    let t = env.get_template("self").expect("parses");
    let err = t.render(context(), &DefaultHost).expect_err("recursion");
    assert_eq!(err.kind(), ErrorKind::Render);
    assert!(
        err.detail().contains("include depth") || err.detail().contains("nested too deeply"),
        "{err}"
    );
    assert_eq!(err.template(), Some("self"));
}

#[test]
fn recursive_extends_is_not_found() {
    let env = env_with(&[("a", "{% extends 'b' %}"), ("b", "{% extends 'a' %}")]);
    let t = env.get_template("a").expect("parses");
    let err = t.render(context(), &DefaultHost).expect_err("cycle");
    assert_eq!(err.kind(), ErrorKind::TemplateNotFound);
}

#[test]
fn deep_nesting_across_includes_is_bounded() {
    // Each level nests 40 blocks and includes the next: the render depth
    // limit stops it before the stack runs out.
    let body = format!(
        "{}{{% include 'n' %}}{}",
        "{% if 1 %}".repeat(40),
        "{% endif %}".repeat(40)
    );
    let env = env_with(&[("n", &body)]);
    let t = env.get_template("n").expect("parses");
    let err = t.render(context(), &DefaultHost).expect_err("too deep");
    assert_eq!(err.kind(), ErrorKind::Render);
}
