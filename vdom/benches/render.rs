//! The pure-Rust render path of a dashboard page: a user name, a count and a
//! table of N rows with `|upper`, `|floatformat:2`, `{% if %}` and
//! `{% cycle %}`, at N = 100 and 1000. The same page in minijinja (its Jinja
//! equivalent, `round(2)` standing in for `floatformat:2`) is measured in the
//! same run for comparison.
use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use djust_vdom::{DefaultHost, Environment, MapLoader, Options, Value};

const DJANGO: &str = r#"<h1>Hello {{ user.name }}</h1>
<p>{{ count }} rows</p>
<table>
{% for row in rows %}<tr class="{% cycle 'odd' 'even' %}">
  <td>{{ forloop.counter }}</td><td>{{ row.name|upper }}</td>
  <td>{{ row.price|floatformat:2 }}</td>
  <td>{% if row.active %}active{% else %}inactive{% endif %}</td>
</tr>
{% endfor %}</table>
"#;

const JINJA: &str = r#"<h1>Hello {{ user.name }}</h1>
<p>{{ count }} rows</p>
<table>
{% for row in rows %}<tr class="{{ loop.cycle('odd', 'even') }}">
  <td>{{ loop.index }}</td><td>{{ row.name|upper }}</td>
  <td>{{ row.price|round(2) }}</td>
  <td>{% if row.active %}active{% else %}inactive{% endif %}</td>
</tr>
{% endfor %}</table>
"#;

fn data(n: usize) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "name": format!("item <{i}>"),
                "price": i as f64 * 1.25 + 0.333,
                "active": i % 3 != 0,
            })
        })
        .collect();
    serde_json::json!({"user": {"name": "Ann & Bob"}, "count": n, "rows": rows})
}

fn bench(c: &mut Criterion) {
    let env = Environment::new(Arc::new(MapLoader::new()), Options::default());
    let template = env.from_string(DJANGO).expect("template parses");
    let mut jinja = minijinja::Environment::new();
    jinja
        .add_template("page", JINJA)
        .expect("jinja template parses");
    let jinja_tmpl = jinja.get_template("page").expect("jinja template");

    let mut group = c.benchmark_group("dashboard");
    for n in [100usize, 1000] {
        let json = data(n);
        let value = Value::from(&json);
        group.bench_with_input(BenchmarkId::new("djust", n), &value, |b, v| {
            b.iter(|| {
                template
                    .render(black_box(v.clone()), &DefaultHost)
                    .expect("renders")
            })
        });
        let jctx = minijinja::Value::from(minijinja::value::Serde(&json));
        group.bench_with_input(BenchmarkId::new("minijinja", n), &jctx, |b, v| {
            b.iter(|| jinja_tmpl.render(black_box(v.clone())).expect("renders"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
