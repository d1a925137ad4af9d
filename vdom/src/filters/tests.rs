//! How filters are applied: Django's flag rules, host objects, `display`.
//! Expected values are Django 5.2's (checked in `.venv/bin/python`).
use std::any::Any;
use std::sync::Arc;

use super::*;
use crate::error::Error;
use crate::host::DefaultHost;
use crate::value::{Date, DateTime, Object, ObjectKind, Time, TzInfo};

fn ctx(autoescape: bool) -> FilterCtx<'static> {
    FilterCtx {
        autoescape,
        host: &DefaultHost,
    }
}

fn run(name: &str, value: Value, arg: Option<Value>) -> Result<Value> {
    let filter = builtin(name).expect("a built-in filter");
    apply(filter, &ctx(true), value, arg)
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("<not a string>")
}

/// A host list, as the binding would give a Python list.
#[derive(Debug)]
struct HostList(Vec<Value>);

impl Object for HostList {
    fn lookup(&self, key: &str) -> Result<Option<Value>> {
        Ok(key
            .parse::<usize>()
            .ok()
            .and_then(|i| self.0.get(i).cloned()))
    }
    fn to_text(&self) -> Result<Value> {
        Value::list(self.0.clone()).to_text()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn kind(&self) -> ObjectKind {
        ObjectKind::Seq
    }
    fn iterate(&self) -> Result<Option<Vec<Value>>> {
        Ok(Some(self.0.clone()))
    }
    fn len(&self) -> Result<Option<usize>> {
        Ok(Some(self.0.len()))
    }
}

/// A host object whose attribute access raises.
#[derive(Debug)]
struct Raising;

impl Object for Raising {
    fn lookup(&self, _key: &str) -> Result<Option<Value>> {
        Err(Error::render("boom"))
    }
    fn to_text(&self) -> Result<Value> {
        Err(Error::render("boom"))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[test]
fn is_safe_filters_keep_a_safe_input_safe() {
    // `lower` is is_safe: safe in, safe out; plain in, plain out.
    let out = run("lower", Value::safe("<B>"), None).unwrap();
    assert!(out.is_safe());
    assert_eq!(text(&out), "<b>");
    assert!(!run("lower", Value::from("<B>"), None).unwrap().is_safe());
    // `upper` is not is_safe: the mark is lost, as in Django.
    assert!(!run("upper", Value::safe("<b>"), None).unwrap().is_safe());
    // mark_safe of a non-string result is its str(), safe.
    let out = run("last", Value::safe("ab"), None).unwrap();
    assert!(out.is_safe());
}

#[test]
fn needs_autoescape_filters_read_the_context() {
    let join = builtin("join").unwrap();
    let list = Value::list(vec![Value::from("<a>"), Value::safe("<b>")]);
    let on = apply(join, &ctx(true), list.clone(), Some(Value::safe(", "))).unwrap();
    assert_eq!(text(&on), "&lt;a&gt;, <b>");
    let off = apply(join, &ctx(false), list, Some(Value::safe(", "))).unwrap();
    assert_eq!(text(&off), "<a>, <b>");
}

#[test]
fn host_objects_are_read_through_the_trait() {
    let list = Value::Object(Arc::new(HostList(vec![
        Value::Int(3),
        Value::Int(1),
        Value::Int(2),
    ])));
    assert_eq!(
        run("length", list.clone(), None).unwrap().repr().unwrap(),
        "3"
    );
    assert_eq!(
        run("first", list.clone(), None).unwrap().repr().unwrap(),
        "3"
    );
    assert_eq!(
        text(&run("join", list.clone(), Some(Value::safe("-"))).unwrap()),
        "3-1-2"
    );
    assert_eq!(
        run("slice", list, Some(Value::safe("1:")))
            .unwrap()
            .repr()
            .unwrap(),
        "[1, 2]"
    );
    // A Python exception from the host comes back as an error.
    let raising = Value::Object(Arc::new(Raising));
    assert!(run("upper", raising, None).is_err());
}

#[test]
fn invalid_variables_filter_like_empty_strings() {
    assert_eq!(
        text(&run("default", Value::Undefined, Some(Value::safe("x"))).unwrap()),
        "x"
    );
    assert_eq!(
        run("length", Value::Undefined, None)
            .unwrap()
            .repr()
            .unwrap(),
        "0"
    );
    assert_eq!(text(&run("upper", Value::Undefined, None).unwrap()), "");
    assert_eq!(text(&run("date", Value::Undefined, None).unwrap()), "");
}

fn aware(hour: u8, offset: i32) -> DateTime {
    DateTime {
        date: Date {
            year: 2026,
            month: 11,
            day: 26,
        },
        time: Time {
            hour,
            minute: 45,
            second: 0,
            microsecond: 0,
            tz: Some(TzInfo {
                utc_offset: offset,
                name: Arc::from("UTC+02:00"),
                key: None,
                dst: None,
            }),
        },
    }
}

/// USE_TZ on, current zone UTC+1 ("CET"), for the tz rules.
struct Paris;

impl Host for Paris {
    fn use_tz(&self) -> bool {
        true
    }
    fn localtime(&self, value: &DateTime, zone: Option<&str>) -> Result<DateTime> {
        let (offset, name) = match zone {
            None => (3600, "CET"),
            Some("UTC") => (0, "UTC"),
            Some(_) => return Err(Error::render("unknown zone")),
        };
        let from = value.time.tz.as_ref().map_or(0, |t| t.utc_offset);
        let hour = i32::from(value.time.hour) - from / 3600 + offset / 3600;
        Ok(DateTime {
            time: Time {
                hour: hour as u8,
                tz: Some(TzInfo {
                    utc_offset: offset,
                    name: Arc::from(name),
                    key: None,
                    dst: Some(false),
                }),
                ..value.time.clone()
            },
            ..value.clone()
        })
    }
}

#[test]
fn expects_localtime_and_tz_filters() {
    let host = Paris;
    let c = FilterCtx {
        autoescape: true,
        host: &host,
    };
    let date = builtin("date").unwrap();
    let dt = Value::DateTime(aware(13, 7200));
    // `date` sees the value in the current zone (13:45+02 is 12:45 CET).
    let out = apply(date, &c, dt.clone(), Some(Value::safe("H:i T"))).unwrap();
    assert_eq!(text(&out), "12:45 CET");
    // `{{ dt|utc|date:"H:i T" }}`: the tz filter's result is not moved back.
    let utc = library("tz")
        .unwrap()
        .iter()
        .find(|f| f.name == "utc")
        .unwrap();
    let in_utc = apply(utc, &c, dt.clone(), None).unwrap();
    let out = apply(date, &c, in_utc.clone(), Some(Value::safe("H:i T"))).unwrap();
    assert_eq!(text(&out), "11:45 UTC");
    // ... nor when rendered directly.
    assert_eq!(
        text(&display(&in_utc, &host).unwrap()),
        "Nov. 26, 2026, 11:45 a.m."
    );
    assert_eq!(
        text(&display(&dt, &host).unwrap()),
        "Nov. 26, 2026, 12:45 p.m."
    );
}

#[test]
fn display_localises_numbers_and_dates() {
    let h = DefaultHost;
    let show = |v: Value| {
        display(&v, &h)
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(show(Value::Int(1234567)), "1234567");
    assert_eq!(show(Value::Float(1e16)), "10000000000000000");
    assert_eq!(show(Value::Decimal(Arc::from("1E+2"))), "100");
    assert_eq!(show(Value::Bool(true)), "True");
    assert_eq!(show(Value::None), "None");
    assert_eq!(
        show(Value::Date(Date {
            year: 2026,
            month: 3,
            day: 1
        })),
        "March 1, 2026"
    );
    assert!(display(&Value::safe("<b>"), &h).unwrap().is_safe());
}

#[test]
fn table_lookup() {
    assert!(builtin("length_is").is_none(), "removed in Django 5.1");
    assert!(builtin("floatformat").is_some());
    assert!(library("tz").is_some() && library("static").is_none());
    let mut names: Vec<_> = BUILTINS.iter().map(|f| f.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), BUILTINS.len());
}

// A few cases from Django's tests/template_tests/filter_tests, per module.
#[test]
fn django_filter_test_cases() {
    let s = Value::safe;
    let cases: Vec<(&str, Value, Option<Value>, &str)> = vec![
        ("floatformat", Value::Float(7.7), None, "7.7"),
        ("floatformat", Value::Float(7.0), None, "7"),
        ("floatformat", Value::Float(0.07), None, "0.1"),
        ("floatformat", Value::Float(-0.07), None, "-0.1"),
        ("floatformat", Value::Float(13.1031), Some(s("-3")), "13.103"),
        ("floatformat", Value::Float(11.1197), Some(s("-2")), "11.12"),
        ("floatformat", Value::from("foo"), None, ""),
        ("floatformat", Value::Decimal(Arc::from("1.2345")), Some(Value::Int(2)), "1.23"),
        ("floatformat", Value::Float(66666.666), Some(s("2g")), "66,666.67"),
        ("filesizeformat", Value::Int(1023), None, "1023\u{a0}bytes"),
        ("filesizeformat", Value::Int(1024), None, "1.0\u{a0}KB"),
        ("filesizeformat", Value::Int(1024 * 1024 * 1024), None, "1.0\u{a0}GB"),
        ("pluralize", Value::Int(1), None, ""),
        ("pluralize", Value::Int(2), Some(s("y,ies")), "ies"),
        ("yesno", Value::None, Some(s("certainly,get out of town,perhaps")), "perhaps"),
        ("add", Value::from("1"), Some(Value::Int(2)), "3"),
        ("get_digit", Value::Int(123), Some(Value::Int(1)), "3"),
        ("slugify", Value::from(" Jack & Jill like numbers 1,2,3 and 4 and silly characters ?%.$!/"), None, "jack-jill-like-numbers-123-and-4-and-silly-characters"),
        ("title", Value::from("a nice title, isn't it?"), None, "A Nice Title, Isn't It?"),
        ("wordwrap", Value::from("this is a long paragraph of text that really needs to be wrapped I'm afraid"), Some(Value::Int(14)), "this is a long\nparagraph of\ntext that\nreally needs\nto be wrapped\nI'm afraid"),
        ("truncatewords", Value::from("A sentence with a few words in it"), Some(Value::Int(5)), "A sentence with a few …"),
        ("stringformat", Value::Int(1), Some(s("03d")), "001"),
        ("cut", Value::from("a string to be mangled"), Some(s("a")), " string to be mngled"),
        ("linebreaksbr", Value::from("line 1\nline 2"), None, "line 1<br>line 2"),
        ("striptags", Value::from("some <b>html</b> with <script>alert(\"You smell\")</script> disallowed <img /> tags"), None, "some html with alert(\"You smell\") disallowed  tags"),
        ("urlize", Value::from("http://google.com"), None, "<a href=\"http://google.com\" rel=\"nofollow\">http://google.com</a>"),
        ("date", Value::Date(Date { year: 2006, month: 1, day: 1 }), Some(s("l jS F Y")), "Sunday 1st January 2006"),
    ];
    for (name, value, arg, want) in cases {
        let got = run(name, value.clone(), arg.clone()).unwrap();
        let got = display(&got, &DefaultHost).unwrap();
        assert_eq!(text(&got), want, "{name} {value:?} {arg:?}");
    }
}

#[test]
fn django_raises_where_it_raises() {
    assert!(run("divisibleby", Value::Int(4), Some(Value::Int(0))).is_err());
    assert!(run("wordwrap", Value::from("x"), Some(Value::Int(0))).is_err());
    let date_only = Value::Date(Date {
        year: 2026,
        month: 1,
        day: 1,
    });
    assert!(run("date", date_only, Some(Value::safe("H"))).is_err());
}

/// Every filter, on hostile values and arguments, returns (Ok or Err)
/// without panicking or running away.
#[test]
fn no_filter_panics_on_odd_input() {
    let big = "9".repeat(60);
    let values = vec![
        Value::Undefined,
        Value::None,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Float(f64::NAN),
        Value::Float(-f64::INFINITY),
        Value::Float(1e300),
        Value::Decimal(Arc::from("1E+999999")),
        Value::Decimal(Arc::from("-1E-999999")),
        Value::Decimal(Arc::from("sNaN")),
        Value::Decimal(Arc::from(big.as_str())),
        Value::from(""),
        Value::from("<a href='x'>&#xFFFFFFFF; &#99999999999; &; <!-- <![if x]> <![CDATA[ </"),
        Value::from("((((x.com]]]];;;&amp;;;;"),
        Value::from("é\u{0301}\u{200b}\u{feff}\t\r\n\u{2028}"),
        Value::safe("<b>"),
        Value::list(vec![Value::None, Value::list(vec![])]),
        Value::Date(Date {
            year: 1,
            month: 13,
            day: 0,
        }),
        Value::Time(Time {
            hour: 25,
            minute: 61,
            second: 61,
            microsecond: 9_999_999,
            tz: None,
        }),
        Value::DateTime(aware(0, -86_399)),
        Value::Object(Arc::new(HostList(vec![Value::Int(1)]))),
        Value::Object(Arc::new(Raising)),
    ];
    let args = vec![
        None,
        Some(Value::Undefined),
        Some(Value::Int(i64::MIN)),
        Some(Value::Int(i64::MAX)),
        Some(Value::safe("")),
        Some(Value::safe(
            "-9223372036854775808:9223372036854775807:9223372036854775807",
        )),
        Some(Value::safe("::-9223372036854775807")),
        Some(Value::safe("99999999999999999999999999999999")),
        Some(Value::safe("%(x)s%(")),
        Some(Value::safe("2000000d")),
        Some(Value::safe(".")),
        Some(Value::safe("\\")),
        Some(Value::safe("a,b,c,d")),
        Some(Value::safe("_x")),
        Some(Value::Float(f64::NAN)),
    ];
    let all = BUILTINS.iter().chain(
        ["tz", "l10n", "i18n"]
            .iter()
            .flat_map(|l| library(l).unwrap_or(&[])),
    );
    for filter in all {
        if filter.name == "random" {
            continue;
        }
        for value in &values {
            for arg in &args {
                for autoescape in [true, false] {
                    let c = FilterCtx {
                        autoescape,
                        host: &DefaultHost,
                    };
                    if let Ok(out) = apply(filter, &c, value.clone(), arg.clone()) {
                        let _ = display(&out, &DefaultHost);
                    }
                }
            }
        }
    }
}
