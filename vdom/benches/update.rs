//! Pure-Rust live-update benchmark (no Python): the dashboard at N rows,
//! full render vs live mount and updates. `cargo bench -p djust-vdom
//! --bench update`. The Python benchmark (`integration/bench/update.py`)
//! is the one RESULTS.md records; this one isolates the engine's cost.
use std::sync::Arc;
use std::time::Instant;

use djust_vdom::live::LiveTemplate;
use djust_vdom::value::Map;
use djust_vdom::{DefaultHost, Environment, MapLoader, Options, Value};

const ROW: &str = "{% for row in rows %}<tr dj-key=\"{{ row.id }}\" class=\"{% if row.active %}on{% else %}off{% endif %}\">\n<td>{{ row.id }}</td><td>{{ row.name }}</td><td>{{ row.owner|title }}</td>\n<td>{% if row.active %}<span class=\"badge ok\">active</span>{% else %}<span class=\"badge\">idle</span>{% endif %}</td>\n<td class=\"num\">{{ row.value|floatformat:2 }}</td></tr>\n{% endfor %}";

fn ctx(n: usize, title: &str, bump: i64) -> Value {
    let rows = (0..n)
        .map(|i| {
            let mut m = Map::new();
            m.insert("id".into(), Value::Int(i as i64));
            m.insert("name".into(), Value::from(format!("Item {i}")));
            m.insert("owner".into(), Value::from(format!("owner {}", i % 17)));
            m.insert("active".into(), Value::Bool(i % 3 != 0));
            let v = if i == n / 2 { bump } else { 0 };
            m.insert("value".into(), Value::Float(i as f64 * 1.25 + v as f64));
            Value::Map(Arc::new(m))
        })
        .collect();
    let mut m = Map::new();
    m.insert("title".into(), Value::from(title));
    m.insert("rows".into(), Value::list(rows));
    Value::Map(Arc::new(m))
}

fn best(mut f: impl FnMut(), reps: usize) -> f64 {
    f();
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e6
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let env = Environment::new(Arc::new(MapLoader::new()), Options::default());
    let src = format!("<h1>{{{{ title }}}}</h1><table>{ROW}</table>");
    let t = env.from_string(&src).expect("template");
    for n in [100, 1000] {
        let (a, b) = (ctx(n, "a", 0), ctx(n, "a", 7));
        let mut live = LiveTemplate::new(&t).expect("compile");
        live.mount(a.clone(), &DefaultHost).expect("mount");
        let full = best(|| drop(t.render(a.clone(), &DefaultHost)), 50);
        let mount = best(|| drop(live.mount(a.clone(), &DefaultHost)), 50);
        let mut flip = false;
        let row = best(
            || {
                flip = !flip;
                let c = if flip { &b } else { &a };
                drop(live.update(c.clone(), &DefaultHost, Some(&["rows"])));
            },
            50,
        );
        let eval = best(
            || drop(live.evaluate(a.clone(), &DefaultHost, None, true)),
            50,
        );
        let rows: std::collections::HashSet<Arc<str>> = [Arc::from("rows")].into_iter().collect();
        let eval_rows = best(
            || drop(live.evaluate(b.clone(), &DefaultHost, Some(&rows), false)),
            50,
        );
        let newer = live
            .evaluate(b.clone(), &DefaultHost, Some(&rows), false)
            .expect("eval");
        let older = live.rendered().cloned().expect("state");
        let diff = best(
            || drop(djust_vdom::live::diff::diff(live.program(), &older, &newer)),
            50,
        );
        println!("N={n}: evaluate(changed=rows) {eval_rows:.0}µs, diff {diff:.0}µs");
        println!("N={n}: full render {full:.0}µs, mount {mount:.0}µs, evaluate {eval:.0}µs, one row update {row:.0}µs");
    }
}
