//! Every fixture in `tests/inputs/` rendered by the engine and compared
//! byte for byte with what Django 5.2 renders (`*.expected`, written by
//! `regen_expected.py`), plus an insta snapshot of the engine's output.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use djust_vdom::value::{Date, DateTime, Time};
use djust_vdom::{Environment, ErrorKind, Host, Loader, Options, Result, Source, Value};

/// Loads `tests/templates/<name>` from disk.
struct DirLoader(PathBuf);

impl Loader for DirLoader {
    fn load(&self, name: &str) -> Result<Option<Source>> {
        let path = self.0.join(name);
        Ok(std::fs::read_to_string(&path).ok().map(|code| Source {
            name: Arc::from(name),
            origin: Arc::from(path.to_string_lossy().as_ref()),
            code: Arc::from(code),
        }))
    }
}

/// Django's defaults, with the system clock (for `{% now %}`).
struct TestHost;

impl Host for TestHost {
    /// The URLs `regen_expected.py` gives Django: `home/`, `item/<int:pk>/`.
    fn reverse(&self, name: &str, args: &[Value], kwargs: &[(String, Value)]) -> Result<String> {
        let arg = args.first().or_else(|| kwargs.first().map(|(_, v)| v));
        match (name, arg) {
            ("home", None) => Ok("/home/".to_owned()),
            ("item", Some(Value::Int(pk))) => Ok(format!("/item/{pk}/")),
            _ => Err(djust_vdom::Error::render(format!(
                "Reverse for '{name}' not found. '{name}' is not a valid view function or pattern name."
            ))),
        }
    }

    fn now(&self) -> Result<DateTime> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Ok(DateTime {
            date: Date { year, month, day },
            time: Time {
                hour: (rem / 3600) as u8,
                minute: (rem % 3600 / 60) as u8,
                second: (rem % 60) as u8,
                microsecond: 0,
                tz: None,
            },
        })
    }
}

fn class_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax => "TemplateSyntaxError",
        ErrorKind::TemplateNotFound => "TemplateDoesNotExist",
        _ => "other",
    }
}

/// Render one fixture: `Ok(output)` or `Err((Django class, message))`.
fn render_fixture(path: &Path) -> std::result::Result<String, (String, String)> {
    let raw = std::fs::read_to_string(path).expect("fixture readable");
    let (head, template) = raw.split_once("\n---\n").expect("fixture has ---");
    let mut json: serde_json::Value = serde_json::from_str(head).expect("fixture JSON");
    let mut options = Options::default();
    if let Some(opts) = json.as_object_mut().and_then(|m| m.remove("__options__")) {
        if let Some(s) = opts.get("string_if_invalid").and_then(|v| v.as_str()) {
            options.string_if_invalid = s.to_owned();
        }
        if let Some(b) = opts.get("autoescape").and_then(|v| v.as_bool()) {
            options.autoescape = b;
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/templates");
    let env = Environment::new(Arc::new(DirLoader(dir)), options);
    env.from_string(template)
        .and_then(|t| t.render(Value::from(&json), &TestHost))
        .map_err(|e| (class_of(e.kind()).to_owned(), e.detail().to_owned()))
}

#[test]
fn fixtures_match_django() {
    let mut failures = Vec::new();
    insta::glob!("inputs/*.html", |path| {
        let expected = std::fs::read_to_string(path.with_extension("expected"))
            .expect("run regen_expected.py to create the .expected files");
        let got = render_fixture(path);
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let snapshot = match &got {
            Ok(out) => out.clone(),
            Err((class, msg)) => format!("!{class}\n{msg}"),
        };
        insta::assert_snapshot!(snapshot);
        let ok = match (&got, expected.strip_prefix('!')) {
            (Ok(out), None) => *out == expected,
            (Err((class, msg)), Some(exp)) => {
                let (exp_class, exp_msg) = exp.split_once('\n').unwrap_or((exp, ""));
                let same_class =
                    class == exp_class || (class == "other" && !exp_class.starts_with("Template"));
                // Django's VariableDoesNotExist message goes on to print the
                // whole context stack; the engine's stops at the key.
                let same_msg = msg == exp_msg
                    || (msg.starts_with("Failed lookup for key [")
                        && exp_msg.starts_with(msg.as_str()));
                same_class && same_msg
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{name}:\n  django: {expected:?}\n  djust:  {snapshot:?}"
            ));
        }
    });
    assert!(
        failures.is_empty(),
        "{} fixtures differ from Django:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
