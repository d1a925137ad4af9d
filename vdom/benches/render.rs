//! The dashboard of `integration/bench/render.py` on the pure-Rust path:
//! compiled once, rendered from a `Value::Map` context with the default
//! (English) host, N = 100 and 1,000 rows.
//!
//!     cargo bench -p djust-vdom --bench render
use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use djust_vdom::{DefaultHost, Environment, MapLoader, Options, Value};

const SOURCE: &str = "<h1>Hello {{ user.name }}</h1>
<p>{{ count }} products</p>
<table>
{% for row in rows %}<tr><td>{{ row.name|upper }}</td><td>{{ row.price|floatformat:2 }}</td>\
<td>{% if row.active %}active{% else %}retired{% endif %}</td></tr>
{% endfor %}</table>
";

/// The same rows as the Python benchmark's dict context.
fn context(n: usize) -> Value {
    let rows: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "name": format!("product <{i}> & co"),
                "price": i as f64 * 1.25 + 0.5,
                "active": i % 3 != 0,
            })
        })
        .collect();
    Value::from(&serde_json::json!({"user": {"name": "Ada"}, "count": n, "rows": rows}))
}

fn dashboard(c: &mut Criterion) {
    let env = Environment::new(Arc::new(MapLoader::new()), Options::default());
    let template = env.from_string(SOURCE).expect("the dashboard compiles");
    let mut group = c.benchmark_group("dashboard");
    for n in [100, 1_000] {
        let ctx = context(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &ctx, |b, ctx| {
            b.iter(|| {
                template
                    .render(black_box(ctx.clone()), &DefaultHost)
                    .expect("the dashboard renders")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, dashboard);
criterion_main!(benches);
