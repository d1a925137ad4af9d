//! Property tests of live updates: random templates from a small grammar
//! (text, attributes, nested `if`/`for` with and without `dj-key`,
//! `with`, includes) and random sequences of state changes. After every
//! update, the reference client's HTML (join payload + every patch
//! applied) must equal a fresh full render. Failures shrink; proptest
//! prints the minimal case and stores its seed in
//! `proptest-regressions/`. `PROPTEST_CASES` overrides the case count.
use std::sync::Arc;

use djust_vdom::live::{dom::Client, LiveTemplate};
use djust_vdom::value::Map;
use djust_vdom::{DefaultHost, Environment, MapLoader, Options, Value};
use proptest::prelude::*;

/// Template pieces; `depth` bounds nesting, `lv` is the innermost loop
/// variable in scope (if any).
fn node(depth: u32, lv: Option<&'static str>) -> BoxedStrategy<String> {
    let mut leaves: Vec<BoxedStrategy<String>> = vec![
        prop_oneof![
            Just("<p>"),
            Just("</p>"),
            Just(" x "),
            Just("<br>"),
            Just("")
        ]
        .prop_map(String::from)
        .boxed(),
        prop_oneof![
            Just("{{ a }}"),
            Just("{{ b|upper }}"),
            Just("{{ n|add:1 }}")
        ]
        .prop_map(String::from)
        .boxed(),
        Just("<span class=\"{{ a }}\" title='{{ n }}'>s</span>".to_owned()).boxed(),
        Just("{% include \"inc.html\" %}".to_owned()).boxed(),
    ];
    if let Some(v) = lv {
        leaves.push(
            prop_oneof![
                Just(format!("{{{{ {v}.name }}}}")),
                Just(format!(
                    "<em data-n=\"{{{{ {v}.n }}}}\">{{{{ forloop.counter }}}}</em>"
                )),
            ]
            .boxed(),
        );
    }
    let leaf = proptest::strategy::Union::new(leaves).boxed();
    if depth == 0 {
        return leaf;
    }
    let body = move |lv| prop::collection::vec(node(depth - 1, lv), 0..4).prop_map(|v| v.concat());
    let cond = match lv {
        Some(v) => prop_oneof![
            Just("f".to_owned()),
            Just(format!("{v}.n > 2")),
            Just("not f".to_owned())
        ]
        .boxed(),
        None => prop_oneof![
            Just("f".to_owned()),
            Just("n > 2".to_owned()),
            Just("not f".to_owned())
        ]
        .boxed(),
    };
    let (loop_var, list): (&'static str, String) = match lv {
        None => ("it", "items".to_owned()),
        Some(v) => ("sub", format!("{v}.tags")),
    };
    prop_oneof![
        3 => leaf,
        1 => (cond, body(lv), body(lv)).prop_map(|(c, t, e)| format!("{{% if {c} %}}{t}{{% else %}}{e}{{% endif %}}")),
        1 => (body(Some(loop_var)), body(lv), any::<bool>()).prop_map(move |(b, e, keyed)| {
            let key = if keyed && loop_var == "it" { " dj-key=\"{{ it.id }}\"" } else { "" };
            format!("{{% for {loop_var} in {list} %}}<li{key}>{b}</li>{{% empty %}}{e}{{% endfor %}}")
        }),
        1 => body(lv).prop_map(|b| format!("{{% with a=b %}}{b}{{% endwith %}}")),
    ]
    .boxed()
}

#[derive(Clone, Debug)]
struct Item {
    id: u32,
    name: String,
    n: i64,
    tags: Vec<String>,
}

#[derive(Clone, Debug)]
struct State {
    a: String,
    b: String,
    n: i64,
    f: bool,
    items: Vec<Item>,
    next_id: u32,
}

#[derive(Clone, Debug)]
enum Change {
    A(String),
    B(String),
    N(i64),
    Flag,
    Insert(usize, String),
    Remove(usize),
    Swap(usize, usize),
    Rename(usize, String),
    Count(usize, i64),
    Tag(usize, String),
    Reverse,
    Clear,
    Nothing,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x"),
        Just("<b>&\"'"),
        Just(""),
        Just("héllo"),
        Just("a b")
    ]
    .prop_map(String::from)
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        text().prop_map(Change::A),
        text().prop_map(Change::B),
        (0i64..5).prop_map(Change::N),
        Just(Change::Flag),
        (0usize..8, text()).prop_map(|(i, t)| Change::Insert(i, t)),
        (0usize..8).prop_map(Change::Remove),
        (0usize..8, 0usize..8).prop_map(|(i, j)| Change::Swap(i, j)),
        (0usize..8, text()).prop_map(|(i, t)| Change::Rename(i, t)),
        (0usize..8, 0i64..5).prop_map(|(i, n)| Change::Count(i, n)),
        (0usize..8, text()).prop_map(|(i, t)| Change::Tag(i, t)),
        Just(Change::Reverse),
        Just(Change::Clear),
        Just(Change::Nothing),
    ]
}

impl State {
    fn initial() -> State {
        let items = (0..3)
            .map(|i| Item {
                id: i,
                name: format!("item{i}"),
                n: i64::from(i),
                tags: vec!["t".to_owned(); i as usize],
            })
            .collect();
        State {
            a: "A".into(),
            b: "B".into(),
            n: 1,
            f: true,
            items,
            next_id: 3,
        }
    }

    /// Apply a change; returns the names it changed.
    fn apply(&mut self, c: &Change) -> Vec<&'static str> {
        let len = self.items.len();
        match c {
            Change::A(t) => self.a = t.clone(),
            Change::B(t) => self.b = t.clone(),
            Change::N(n) => self.n = *n,
            Change::Flag => self.f = !self.f,
            Change::Insert(i, t) => {
                self.items.insert(
                    (*i).min(len),
                    Item {
                        id: self.next_id,
                        name: t.clone(),
                        n: 1,
                        tags: vec![],
                    },
                );
                self.next_id += 1;
            }
            Change::Remove(i) if len > 0 => {
                self.items.remove(i % len);
            }
            Change::Swap(i, j) if len > 0 => self.items.swap(i % len, j % len),
            Change::Rename(i, t) if len > 0 => self.items[i % len].name = t.clone(),
            Change::Count(i, n) if len > 0 => self.items[i % len].n = *n,
            Change::Tag(i, t) if len > 0 => self.items[i % len].tags.push(t.clone()),
            Change::Reverse => self.items.reverse(),
            Change::Clear => self.items.clear(),
            _ => return vec![],
        }
        match c {
            Change::A(_) => vec!["a"],
            Change::B(_) => vec!["b"],
            Change::N(_) => vec!["n"],
            Change::Flag => vec!["f"],
            _ => vec!["items"],
        }
    }

    fn value(&self) -> Value {
        let s = |t: &str| Value::from(t);
        let mut m = Map::new();
        m.insert("a".into(), s(&self.a));
        m.insert("b".into(), s(&self.b));
        m.insert("n".into(), Value::Int(self.n));
        m.insert("f".into(), Value::Bool(self.f));
        let items = self
            .items
            .iter()
            .map(|it| {
                let mut im = Map::new();
                im.insert("id".into(), Value::Int(i64::from(it.id)));
                im.insert("name".into(), s(&it.name));
                im.insert("n".into(), Value::Int(it.n));
                im.insert(
                    "tags".into(),
                    Value::list(it.tags.iter().map(|t| s(t)).collect()),
                );
                Value::Map(Arc::new(im))
            })
            .collect();
        m.insert("items".into(), Value::list(items));
        Value::Map(Arc::new(m))
    }
}

fn env() -> Environment {
    let mut loader = MapLoader::new();
    loader.insert("inc.html", "<i>{{ a }}</i>{% if f %}T{% endif %}");
    Environment::new(Arc::new(loader), Options::default())
}

fn check(body: &[String], changes: &[(Change, bool)]) -> Result<(), TestCaseError> {
    let src = body.concat();
    let env = env();
    let t = env
        .from_string(&src)
        .map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let mut live = LiveTemplate::new(&t).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let mut state = State::initial();
    let html = live
        .mount(state.value(), &DefaultHost)
        .map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert_eq!(&html, &t.render(state.value(), &DefaultHost).unwrap());
    let mut client = Client::from_join(&live.join_json().unwrap()).unwrap();
    prop_assert_eq!(&client.html(), &html);
    for (c, detect) in changes {
        let names = state.apply(c);
        let changed = if *detect {
            None
        } else {
            Some(names.as_slice())
        };
        let before = client.html();
        let patch = live
            .update(state.value(), &DefaultHost, changed)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let expected = t.render(state.value(), &DefaultHost).unwrap();
        match &patch {
            Some(p) => client
                .apply(p)
                .map_err(|e| TestCaseError::fail(format!("{e}: {p}")))?,
            None => prop_assert_eq!(&before, &expected, "no patch but the page changed"),
        }
        prop_assert_eq!(
            client.html(),
            expected,
            "template {:?} after {:?} patch {:?}",
            src,
            c,
            patch
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn patches_reproduce_a_full_render(
        body in prop::collection::vec(node(3, None), 1..5),
        changes in prop::collection::vec((change(), any::<bool>()), 1..12),
    ) {
        check(&body, &changes)?;
    }
}

#[test]
fn dashboard_row_change_is_one_small_op() {
    let env = env();
    let t = env
        .from_string("<h1>{{ a }}</h1><ul>{% for it in items %}<li dj-key=\"{{ it.id }}\">{{ it.name }}</li>{% endfor %}</ul>")
        .unwrap();
    let mut live = LiveTemplate::new(&t).unwrap();
    let mut s = State::initial();
    live.mount(s.value(), &DefaultHost).unwrap();
    s.apply(&Change::Rename(1, "z".into()));
    let p = live
        .update(s.value(), &DefaultHost, Some(&["items"]))
        .unwrap()
        .unwrap();
    assert_eq!(p, r#"{"v":1,"d":[{"o":"s","p":[3,"1",2],"v":"z"}]}"#);
    s.apply(&Change::Swap(0, 2));
    let p = live
        .update(s.value(), &DefaultHost, Some(&["items"]))
        .unwrap()
        .unwrap();
    assert_eq!(
        p,
        r#"{"v":1,"d":[{"o":"m","p":[3],"k":"2","a":null},{"o":"m","p":[3],"k":"1","a":"2"}]}"#
    );
    assert!(live
        .update(s.value(), &DefaultHost, None)
        .unwrap()
        .is_none());
}

#[test]
fn a_failed_update_names_the_line_and_keeps_the_state() {
    let env = env();
    let t = env
        .from_named_string(
            "page.html",
            "<p>{{ a }}</p>\n<ul>{% for x in items %}<li>{{ x }}</li>{% endfor %}</ul>",
        )
        .unwrap();
    let mut live = LiveTemplate::new(&t).unwrap();
    let ok = |a: &str, items: Value| {
        let mut m = Map::new();
        m.insert("a".into(), Value::from(a));
        m.insert("items".into(), items);
        Value::Map(Arc::new(m))
    };
    let first = live
        .mount(ok("1", Value::list(vec![Value::Int(1)])), &DefaultHost)
        .unwrap();
    let err = live
        .update(ok("2", Value::Int(5)), &DefaultHost, Some(&["a", "items"]))
        .unwrap_err();
    assert!(err.detail().contains("not iterable"), "{err}");
    assert_eq!(err.template(), Some("page.html"));
    assert_eq!(err.span().map(|s| s.line), Some(2));
    assert_eq!(live.html().as_deref(), Some(first.as_str()));
    let p = live
        .update(
            ok("3", Value::list(vec![Value::Int(1)])),
            &DefaultHost,
            Some(&["a"]),
        )
        .unwrap();
    assert_eq!(
        p.as_deref(),
        Some(r#"{"v":1,"d":[{"o":"s","p":[0],"v":"3"}]}"#)
    );
}
