//! The shared patch fixtures in `client/fixtures/patches/`: each holds a
//! template, the join payload, the old HTML, one patch message and the
//! expected HTML. This test regenerates every case, checks the reference
//! client turns old into expected with the patch, and checks the files are
//! up to date (`DJUST_WRITE_FIXTURES=1 cargo test -p djust-vdom --test
//! live_fixtures` rewrites them). `djust.js`'s tests and pytest read them.
use std::path::PathBuf;
use std::sync::Arc;

use djust_vdom::live::{dom::Client, LiveTemplate};
use djust_vdom::{DefaultHost, Environment, MapLoader, Options, Value};
use serde_json::{json, Value as Json};

fn to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(a) => Value::list(a.iter().map(to_value).collect()),
        Json::Object(o) => Value::Map(Arc::new(
            o.iter()
                .map(|(k, v)| (Arc::from(k.as_str()), to_value(v)))
                .collect(),
        )),
    }
}

const TABLE: &str = "<table>{% for r in rows %}<tr dj-key=\"{{ r.id }}\"><td>{{ r.name }}</td></tr>{% empty %}<tr><td>empty</td></tr>{% endfor %}</table>";

fn cases() -> Vec<(&'static str, &'static str, Json, Json)> {
    let rows = |ids: &[i64]| {
        json!(ids
            .iter()
            .map(|i| json!({"id": i, "name": format!("row {i}")}))
            .collect::<Vec<_>>())
    };
    vec![
        ("text_set", "<h1>{{ title }}</h1><p>{{ body }}</p>", json!({"title": "Old", "body": "b"}), json!({"title": "New <&>", "body": "b"})),
        ("attr_set", "<div class=\"{{ cls }}\" id=\"x\">{{ n }}</div>", json!({"cls": "a", "n": 1}), json!({"cls": "b \"q\"", "n": 1})),
        ("if_switch", "<p>{% if on %}<b>{{ a }}</b>{% else %}<i>off</i>{% endif %}</p>", json!({"on": true, "a": "x"}), json!({"on": false, "a": "x"})),
        ("if_inner", "<p>{% if on %}<b>{{ a }}</b>{% endif %}</p>", json!({"on": true, "a": "x"}), json!({"on": true, "a": "y"})),
        ("if_none", "<p>{% if on %}<b>{{ a }}</b>{% endif %}</p>", json!({"on": true, "a": "x"}), json!({"on": false, "a": "x"})),
        ("list_insert", TABLE, json!({"rows": rows(&[1, 2, 3])}), json!({"rows": rows(&[1, 9, 2, 3, 10])})),
        ("list_delete", TABLE, json!({"rows": rows(&[1, 2, 3])}), json!({"rows": rows(&[1, 3])})),
        ("list_swap", TABLE, json!({"rows": rows(&[1, 2, 3, 4])}), json!({"rows": rows(&[1, 4, 3, 2])})),
        ("list_reverse", TABLE, json!({"rows": rows(&[1, 2, 3, 4])}), json!({"rows": rows(&[4, 3, 2, 1])})),
        ("list_item_change", TABLE, json!({"rows": rows(&[1, 2])}), json!({"rows": [{"id": 1, "name": "row 1"}, {"id": 2, "name": "changed"}]})),
        ("list_to_empty", TABLE, json!({"rows": rows(&[1, 2])}), json!({"rows": []})),
        ("list_from_empty", TABLE, json!({"rows": []}), json!({"rows": rows(&[5])})),
        ("list_positional", "<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>", json!({"xs": ["a", "b", "c"]}), json!({"xs": ["a", "c"]})),
        ("nested_loops", "{% for g in groups %}<h2 dj-key=\"{{ g.id }}\">{{ g.name }}</h2><ul>{% for t in g.tags %}<li>{{ forloop.parentloop.counter }}.{{ t }}</li>{% endfor %}</ul>{% endfor %}",
            json!({"groups": [{"id": 1, "name": "A", "tags": ["x"]}, {"id": 2, "name": "B", "tags": []}]}),
            json!({"groups": [{"id": 2, "name": "B", "tags": ["y", "z"]}, {"id": 1, "name": "A", "tags": ["x"]}]})),
        ("with_include", "{% with t=title %}<h1>{{ t }}</h1>{% endwith %}{% include \"card.html\" with who=user %}", json!({"title": "a", "user": "ann"}), json!({"title": "b", "user": "bob"})),
    ]
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../client/fixtures/patches")
}

#[test]
fn fixtures_apply_and_are_current() {
    let mut loader = MapLoader::new();
    loader.insert("card.html", "<div class=\"card\">{{ who|title }}</div>");
    let env = Environment::new(Arc::new(loader), Options::default());
    let write = std::env::var_os("DJUST_WRITE_FIXTURES").is_some();
    if write {
        std::fs::create_dir_all(dir()).unwrap();
    }
    for (name, src, old, new) in cases() {
        let t = env.from_string(src).unwrap();
        let mut live = LiveTemplate::new(&t).unwrap();
        let old_html = live.mount(to_value(&old), &DefaultHost).unwrap();
        let join = live.join_json().unwrap();
        let patch = live
            .update(to_value(&new), &DefaultHost, None)
            .unwrap()
            .expect(name);
        let new_html = t.render(to_value(&new), &DefaultHost).unwrap();
        let mut client = Client::from_join(&join).unwrap();
        assert_eq!(client.html(), old_html, "{name}");
        client.apply(&patch).unwrap();
        assert_eq!(client.html(), new_html, "{name}");
        let fixture = json!({
            "name": name,
            "template": src,
            "join": serde_json::from_str::<Json>(&join).unwrap(),
            "old_html": old_html,
            "patch": serde_json::from_str::<Json>(&patch).unwrap(),
            "new_html": new_html,
        });
        let text = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
        let path = dir().join(format!("{name}.json"));
        if write {
            std::fs::write(&path, text).unwrap();
        } else {
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                on_disk,
                text,
                "{} is stale: rerun with DJUST_WRITE_FIXTURES=1",
                path.display()
            );
        }
    }
}
