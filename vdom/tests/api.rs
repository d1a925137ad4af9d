//! The public API the binding builds on: environments and loaders, host
//! libraries (filters, simple and inclusion tags, unsupported tags), errors
//! with locations, the AST, and the context handed to host tags.
use std::sync::Arc;

use djust_vdom::ast::NodeKind;
use djust_vdom::filters::Arity;
use djust_vdom::{
    Context, CustomFilter, CustomTag, DefaultHost, Environment, ErrorKind, Library, Loader,
    MapLoader, Options, Result, Source, TagKind, TagSignature, Value,
};

fn env(templates: &[(&str, &str)]) -> Environment {
    let mut loader = MapLoader::new();
    for (name, code) in templates {
        loader.insert(*name, *code);
    }
    Environment::new(Arc::new(loader), Options::default())
}

fn ctx(json: serde_json::Value) -> Value {
    Value::from(&json)
}

fn render(env: &Environment, source: &str, data: serde_json::Value) -> Result<String> {
    env.from_string(source)?.render(ctx(data), &DefaultHost)
}

/// `@register.filter(is_safe=...)` that wraps its input in brackets.
struct Bracket {
    safe: bool,
}

impl CustomFilter for Bracket {
    fn arity(&self) -> Arity {
        Arity::Optional
    }
    fn is_safe(&self) -> bool {
        self.safe
    }
    fn call(&self, value: Value, arg: Option<Value>, _autoescape: bool) -> Result<Value> {
        let text = value.to_text()?;
        let sep = arg
            .and_then(|a| a.as_str().map(str::to_owned))
            .unwrap_or_default();
        Ok(Value::from(format!(
            "[{sep}{}{sep}]",
            text.as_str().unwrap_or_default()
        )))
    }
}

/// `@register.simple_tag(takes_context=True) def greet(context, greeting, punct="!")`.
struct Greet;

impl CustomTag for Greet {
    fn kind(&self) -> TagKind {
        TagKind::Simple
    }
    fn signature(&self) -> TagSignature {
        TagSignature {
            params: vec!["greeting".into(), "punct".into()],
            defaults: 1,
            takes_context: true,
            ..TagSignature::default()
        }
    }
    fn call(
        &self,
        context: Option<&Context<'_>>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Value> {
        let name = context
            .and_then(|c| c.get("name"))
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let greeting = args
            .first()
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_owned();
        let punct = kwargs
            .iter()
            .find(|(k, _)| k == "punct")
            .map(|(_, v)| v.clone())
            .or_else(|| args.get(1).cloned())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "!".to_owned());
        Ok(Value::from(format!("{greeting} <{name}>{punct}")))
    }
}

/// `@register.inclusion_tag("card.html") def card(title)`.
struct Card;

impl CustomTag for Card {
    fn kind(&self) -> TagKind {
        TagKind::Inclusion {
            template: "card.html".into(),
        }
    }
    fn signature(&self) -> TagSignature {
        TagSignature {
            params: vec!["title".into()],
            ..TagSignature::default()
        }
    }
    fn call(
        &self,
        _: Option<&Context<'_>>,
        args: Vec<Value>,
        _: Vec<(String, Value)>,
    ) -> Result<Value> {
        let title = args.into_iter().next().unwrap_or(Value::None);
        Ok(ctx(
            serde_json::json!({"title": title.as_str().unwrap_or_default()}),
        ))
    }
}

fn library_env() -> Environment {
    let mut env = env(&[(
        "card.html",
        "<h2>{{ title }}</h2>{{ csrf_token }}{{ name }}",
    )]);
    let mut lib = Library::new();
    lib.add_filter("bracket", Arc::new(Bracket { safe: false }));
    lib.add_filter("sbracket", Arc::new(Bracket { safe: true }));
    lib.add_tag("greet", Arc::new(Greet));
    lib.add_tag("card", Arc::new(Card));
    lib.add_unsupported_tag("fancy");
    env.add_library("mylib", lib);
    env
}

#[test]
fn host_filters_follow_is_safe() {
    let env = library_env();
    let out = render(
        &env,
        "{% load mylib %}{{ s|bracket }} {{ s|safe|bracket }} {{ s|safe|sbracket:'-' }}",
        serde_json::json!({"s": "<b>"}),
    )
    .unwrap();
    assert_eq!(out, "[&lt;b&gt;] [&lt;b&gt;] [-<b>-]");
}

#[test]
fn simple_tags_get_context_and_escape() {
    let env = library_env();
    let data = serde_json::json!({"name": "Ann"});
    assert_eq!(
        render(&env, "{% load mylib %}{% greet 'Hi' %}", data.clone()).unwrap(),
        "Hi &lt;Ann&gt;!"
    );
    assert_eq!(
        render(
            &env,
            "{% load mylib %}{% greet 'Yo' punct='?' as g %}[{{ g }}]",
            data.clone()
        )
        .unwrap(),
        "[Yo &lt;Ann&gt;?]"
    );
    assert_eq!(
        render(
            &env,
            "{% load mylib %}{% autoescape off %}{% greet 'Hi' '.' %}{% endautoescape %}",
            data
        )
        .unwrap(),
        "Hi <Ann>."
    );
}

#[test]
fn simple_tag_arguments_are_checked_like_django() {
    let env = library_env();
    for (source, message) in [
        (
            "{% greet %}",
            "'greet' did not receive value(s) for the argument(s): 'greeting'",
        ),
        (
            "{% greet 'a' 'b' 'c' %}",
            "'greet' received too many positional arguments",
        ),
        (
            "{% greet 'a' nope=1 %}",
            "'greet' received unexpected keyword argument 'nope'",
        ),
        (
            "{% greet greeting='a' 'b' %}",
            "'greet' received some positional argument(s) after some keyword argument(s)",
        ),
        (
            "{% greet greeting='a' greeting='b' %}",
            "'greet' received multiple values for keyword argument 'greeting'",
        ),
    ] {
        let err = render(
            &env,
            &format!("{{% load mylib %}}{source}"),
            serde_json::json!({}),
        )
        .expect_err(source);
        assert_eq!(err.kind(), ErrorKind::Syntax, "{source}");
        assert_eq!(err.detail(), message, "{source}");
    }
}

#[test]
fn inclusion_tags_render_their_template_with_a_new_context() {
    let env = library_env();
    let out = render(
        &env,
        "{% load mylib %}{% card 'T<1>' %}",
        serde_json::json!({"csrf_token": "tok", "name": "hidden"}),
    )
    .unwrap();
    assert_eq!(out, "<h2>T&lt;1&gt;</h2>tok");
}

#[test]
fn load_from_and_unsupported_tags() {
    let env = library_env();
    assert_eq!(
        render(
            &env,
            "{% load bracket from mylib %}{{ 'x'|bracket }}",
            serde_json::json!({})
        )
        .unwrap(),
        "[x]"
    );
    let err = render(
        &env,
        "{% load greet from mylib %}{{ 'x'|bracket }}",
        serde_json::json!({}),
    )
    .expect_err("filter not loaded");
    assert_eq!(err.detail(), "Invalid filter: 'bracket'");
    // Loading a library with an unsupported tag is fine until it is used.
    assert_eq!(
        render(&env, "{% load mylib %}ok", serde_json::json!({})).unwrap(),
        "ok"
    );
    let err = render(&env, "{% load mylib %}{% fancy %}", serde_json::json!({}))
        .expect_err("unsupported");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let err = render(&env, "{% fancy %}", serde_json::json!({})).expect_err("not loaded");
    assert_eq!(err.kind(), ErrorKind::Syntax);
}

#[test]
fn builtin_libraries_need_no_load() {
    let mut env = env(&[]);
    let mut lib = Library::new();
    lib.add_filter("bracket", Arc::new(Bracket { safe: false }));
    env.add_builtin_library(lib);
    assert_eq!(
        render(&env, "{{ 'a'|bracket }}", serde_json::json!({})).unwrap(),
        "[a]"
    );
}

#[test]
fn errors_name_the_template_and_line() {
    let env = env(&[
        ("page.html", "{% include 'part.html' %}"),
        ("part.html", "ok\n\n  {{ x|nope }}"),
    ]);
    let t = env.get_template("page.html").unwrap();
    let err = t
        .render(ctx(serde_json::json!({})), &DefaultHost)
        .expect_err("bad filter");
    assert_eq!(err.kind(), ErrorKind::Syntax);
    assert_eq!(err.template(), Some("part.html"));
    assert_eq!(err.span().map(|s| (s.line, s.col)), Some((3, 3)));
    assert_eq!(
        format!("{err:#}"),
        "Invalid filter: 'nope' (part.html, line 3, column 3)\n      {{ x|nope }}\n      ^"
    );
    let err = env.from_string("a\n{% if x %}").expect_err("unclosed");
    assert_eq!(
        err.detail(),
        "Unclosed tag on line 2: 'if'. Looking for one of: elif, else, endif."
    );
    assert_eq!(err.span().map(|s| s.line), Some(2));
}

#[test]
fn render_errors_carry_the_innermost_location() {
    let env = env(&[]);
    let err = render(
        &env,
        "x\n{% for a in l %}\n  {% for b, c in l %}{% endfor %}{% endfor %}",
        serde_json::json!({"l": [1]}),
    )
    .expect_err("unpack");
    assert_eq!(err.kind(), ErrorKind::Render);
    assert_eq!(err.span().map(|s| s.line), Some(3));
}

#[test]
fn ast_equality_ignores_spans() {
    let env = env(&[]);
    let a = env
        .from_string("{{ a.b|upper }}{% if x %}y{% endif %}")
        .unwrap();
    let b = env
        .from_string("{{   a.b|upper   }}{%    if x %}y{% endif %}")
        .unwrap();
    assert_eq!(a.ast().nodes[0], b.ast().nodes[0]);
    assert_eq!(a.ast().nodes[1], b.ast().nodes[1]);
    assert_ne!(a.ast().nodes[0].span, b.ast().nodes[0].span);
    match &a.ast().nodes[1].node {
        NodeKind::If(branches) => assert_eq!(branches.len(), 1),
        other => panic!("expected an if node, got {other:?}"),
    }
}

#[test]
fn templates_are_cached_until_cleared() {
    let env = env(&[("a.html", "A")]);
    let first = env.get_template("a.html").unwrap();
    assert!(Arc::ptr_eq(&first, &env.get_template("a.html").unwrap()));
    env.clear_cache();
    assert!(!Arc::ptr_eq(&first, &env.get_template("a.html").unwrap()));
    let err = env.get_template("missing.html").expect_err("missing");
    assert_eq!(err.kind(), ErrorKind::TemplateNotFound);
}

/// Two template directories, as Django's loaders search them.
struct Dirs;

impl Loader for Dirs {
    fn load(&self, name: &str) -> Result<Option<Source>> {
        self.load_skipping(name, &[])
    }

    fn load_skipping(&self, name: &str, skip: &[Arc<str>]) -> Result<Option<Source>> {
        let dirs: [(&str, &[(&str, &str)]); 2] = [
            ("override", &[("base.html", "[{% extends 'base.html' %}{% block b %}override {{ block.super }}{% endblock %}]")]),
            ("app", &[("base.html", "<{% block b %}app{% endblock %}>")]),
        ];
        for (dir, files) in dirs {
            for (file, code) in files {
                let origin: Arc<str> = Arc::from(format!("{dir}/{file}"));
                if *file == name && !skip.contains(&origin) {
                    return Ok(Some(Source {
                        name: Arc::from(name),
                        origin,
                        code: Arc::from(*code),
                    }));
                }
            }
        }
        Ok(None)
    }
}

#[test]
fn extends_skips_templates_already_in_the_chain() {
    let env = Environment::new(Arc::new(Dirs), Options::default());
    let t = env.get_template("base.html").unwrap();
    assert_eq!(t.origin(), Some("override/base.html"));
    // Text before `extends` is output, as in Django.
    assert_eq!(
        t.render(Value::None, &DefaultHost).unwrap(),
        "[<override app>"
    );
}

#[test]
fn context_flatten_has_innermost_first() {
    struct Probe;
    impl CustomTag for Probe {
        fn kind(&self) -> TagKind {
            TagKind::Simple
        }
        fn signature(&self) -> TagSignature {
            TagSignature {
                takes_context: true,
                ..TagSignature::default()
            }
        }
        fn call(
            &self,
            c: Option<&Context<'_>>,
            _: Vec<Value>,
            _: Vec<(String, Value)>,
        ) -> Result<Value> {
            let c = c.expect("context");
            let names: Vec<String> = c
                .flatten()
                .iter()
                .map(|(k, v)| format!("{k}={}", v.to_text().unwrap().as_str().unwrap_or_default()))
                .collect();
            Ok(Value::from(format!(
                "{} root.a={}",
                names.join(","),
                c.get("a").map(|v| v.repr().unwrap()).unwrap_or_default()
            )))
        }
    }
    let mut env = env(&[]);
    let mut lib = Library::new();
    lib.add_tag("probe", Arc::new(Probe));
    env.add_builtin_library(lib);
    let out = render(
        &env,
        "{% with x=1 %}{% with x=2 y=3 %}{% probe %}{% endwith %}{% endwith %}",
        serde_json::json!({"a": "r"}),
    )
    .unwrap();
    assert_eq!(out, "y=3,x=2 root.a=&#x27;r&#x27;");
}

#[test]
fn template_objects_can_be_extended_and_included() {
    let env = env(&[]);
    let base = env
        .from_string("<{% block b %}base{% endblock %}>")
        .unwrap();
    let part = env.from_string("part:{{ x }}").unwrap();
    let mut map = djust_vdom::value::Map::new();
    map.insert(
        Arc::from("base"),
        Value::Object(Arc::new(djust_vdom::TemplateRef(base))),
    );
    map.insert(
        Arc::from("part"),
        Value::Object(Arc::new(djust_vdom::TemplateRef(part))),
    );
    map.insert(Arc::from("x"), Value::Int(1));
    let root = Value::Map(Arc::new(map));
    let t = env
        .from_string("{% extends base %}{% block b %}child {% include part %}{% endblock %}")
        .unwrap();
    assert_eq!(t.render(root, &DefaultHost).unwrap(), "<child part:1>");
}

#[test]
fn libraries_can_be_limited_to_the_registered_ones() {
    let options = Options {
        implicit_libraries: false,
        ..Options::default()
    };
    let mut env = Environment::new(Arc::new(MapLoader::new()), options);
    env.add_library("static", Library::new());
    assert_eq!(
        render(
            &env,
            "{% load static %}{% static 'a.css' %}",
            serde_json::json!({})
        )
        .unwrap(),
        "/static/a.css"
    );
    let err = render(&env, "{% load i18n %}", serde_json::json!({})).expect_err("not registered");
    assert_eq!(
        err.detail(),
        "'i18n' is not a registered tag library. Must be one of:\nstatic"
    );
}

#[test]
fn templates_and_environments_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<djust_vdom::Template>();
    assert_send_sync::<Environment>();
    let env = env(&[("t.html", "{% for i in l %}{{ i }}{% endfor %}")]);
    let t = env.get_template("t.html").unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let t = t.clone();
            std::thread::spawn(move || {
                t.render(ctx(serde_json::json!({"l": [1, 2, 3]})), &DefaultHost)
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread").unwrap(), "123");
    }
}
