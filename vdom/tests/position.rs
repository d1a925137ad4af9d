//! `current_position()`: the template line being rendered, as seen by host
//! objects while they are read (the N+1 audit attributes SQL with it), for
//! the renderer and the live evaluator, across include, extends and block,
//! nested renders and errors.
use std::any::Any;
use std::sync::{Arc, Mutex};

use djust_vdom::live::LiveTemplate;
use djust_vdom::value::Map;
use djust_vdom::{
    current_position, DefaultHost, Environment, Error, MapLoader, Object, Options, Result, Value,
};

/// Where each read happened: "name:line".
type Seen = Arc<Mutex<Vec<String>>>;

/// A host object that notes the position whenever an attribute is read
/// (as a lazy relation would run its query), and can render another
/// template from inside the render, or fail.
struct Probe {
    seen: Seen,
    nested: Option<(Environment, &'static str)>,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Probe")
    }
}

fn note(seen: &Seen) {
    let at = current_position().map_or_else(
        || "none".to_owned(),
        |p| format!("{}:{}", p.name.as_deref().unwrap_or("?"), p.line),
    );
    seen.lock().unwrap().push(at);
}

impl Object for Probe {
    fn lookup(&self, key: &str) -> Result<Option<Value>> {
        match key {
            "pk" => Ok(None), // read by the live evaluator to key loop items
            "fail" => {
                note(&self.seen);
                Err(Error::render("the probe failed"))
            }
            "nested" => {
                let (env, name) = self.nested.as_ref().expect("a nested template");
                let inner = env
                    .get_template(name)?
                    .render(context(&self.seen, None), &DefaultHost)?;
                note(&self.seen); // back in the outer render
                Ok(Some(Value::from(inner)))
            }
            _ => {
                note(&self.seen);
                Ok(Some(Value::from("x")))
            }
        }
    }

    fn to_text(&self) -> Result<Value> {
        Ok(Value::from("probe"))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn context(seen: &Seen, nested: Option<(Environment, &'static str)>) -> Value {
    let mut m = Map::new();
    let probe = |nested| {
        Value::Object(Arc::new(Probe {
            seen: seen.clone(),
            nested,
        }))
    };
    m.insert("p".into(), probe(nested));
    m.insert(
        "rows".into(),
        Value::List(Arc::new(vec![probe(None), probe(None)])),
    );
    Value::Map(Arc::new(m))
}

fn env() -> Environment {
    let mut loader = MapLoader::new();
    loader
        .insert("base.html", "<html>\n{{ p.a }}\n{% block body %}{% endblock %}\n</html>")
        .insert(
            "page.html",
            "{% extends \"base.html\" %}\n{% block body %}\n{% for r in rows %}\n{% include \"row.html\" %}{% endfor %}\n{{ p.b }}{% endblock %}",
        )
        .insert("row.html", "<li>\n  {{ r.name }}</li>")
        .insert("outer.html", "<div>\n{{ p.nested }}\n{{ p.c }}</div>")
        .insert("inner.html", "<p>\n\n{{ p.d }}</p>")
        .insert("broken.html", "a\n{{ p.fail }}");
    Environment::new(Arc::new(loader), Options::default())
}

fn seen() -> Seen {
    Arc::new(Mutex::new(Vec::new()))
}

fn taken(seen: &Seen) -> Vec<String> {
    std::mem::take(&mut *seen.lock().unwrap())
}

#[test]
fn include_extends_and_block_lines() {
    let env = env();
    let s = seen();
    env.get_template("page.html")
        .unwrap()
        .render(context(&s, None), &DefaultHost)
        .unwrap();
    assert_eq!(
        taken(&s),
        ["base.html:2", "row.html:2", "row.html:2", "page.html:5"]
    );
    assert_eq!(current_position(), None);
}

#[test]
fn the_live_evaluator_reports_the_same_lines() {
    let env = env();
    let s = seen();
    let mut live = LiveTemplate::new(&env.get_template("page.html").unwrap()).unwrap();
    live.mount(context(&s, None), &DefaultHost).unwrap();
    assert_eq!(
        taken(&s),
        ["base.html:2", "row.html:2", "row.html:2", "page.html:5"]
    );
    live.update(context(&s, None), &DefaultHost, Some(&["rows"]))
        .unwrap();
    assert_eq!(taken(&s), ["row.html:2", "row.html:2"]);
    assert_eq!(current_position(), None);
}

#[test]
fn a_nested_render_gives_the_outer_position_back() {
    let env = env();
    let s = seen();
    let ctx = context(&s, Some((env.clone(), "inner.html")));
    env.get_template("outer.html")
        .unwrap()
        .render(ctx, &DefaultHost)
        .unwrap();
    assert_eq!(taken(&s), ["inner.html:3", "outer.html:2", "outer.html:3"]);
}

#[test]
fn an_error_leaves_no_position_behind() {
    let env = env();
    let s = seen();
    let err = env
        .get_template("broken.html")
        .unwrap()
        .render(context(&s, None), &DefaultHost)
        .unwrap_err();
    assert!(err.to_string().contains("the probe failed"), "{err}");
    assert_eq!(taken(&s), ["broken.html:2"]);
    assert_eq!(current_position(), None);
}
