//! HTML filters: `escape`, `escapeseq`, `force_escape`, `linebreaks`,
//! `linebreaksbr`, `linenumbers`, `safe`, `safeseq`, `striptags`,
//! `truncatechars_html`, `truncatewords_html`, `urlize`, `urlizetrunc`,
//! `json_script`, `unordered_list`.
use std::fmt::Write as _;

use super::numbers::{py_int, PyErr};
use super::{mark_safe, out, req, safe_out, string_arg, text_of, FilterCtx};
use crate::error::{Error, Result};
use crate::escape::{conditional_escape, escape};
use crate::value::{ObjectKind, Value};

pub(crate) fn escape_filter(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(if safe {
        safe_out(s.to_string())
    } else {
        safe_out(escape(&s))
    })
}

pub(crate) fn force_escape(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, _) = string_arg(&value)?;
    Ok(safe_out(escape(&s)))
}

fn not_iterable(value: &Value) -> Error {
    Error::render(format!(
        "'{}' object is not iterable",
        super::dates::type_name(value)
    ))
}

fn items(value: &Value) -> Result<Vec<Value>> {
    match value {
        Value::Undefined => Ok(Vec::new()),
        other => other.iterate()?.ok_or_else(|| not_iterable(other)),
    }
}

pub(crate) fn escapeseq(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let escaped: Result<Vec<Value>> = items(&value)?.iter().map(conditional_escape).collect();
    Ok(Value::list(escaped?))
}

pub(crate) fn safeseq(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let marked: Result<Vec<Value>> = items(&value)?.into_iter().map(mark_safe).collect();
    Ok(Value::list(marked?))
}

pub(crate) fn safe(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, _) = string_arg(&value)?;
    Ok(Value::SafeStr(s))
}

/// `normalize_newlines`: `\r\n` and `\r` become `\n`.
fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

pub(crate) fn linebreaks(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let autoescape = ctx.autoescape && !safe;
    Ok(safe_out(linebreaks_text(&s, autoescape)))
}

/// `django.utils.html.linebreaks`.
pub(crate) fn linebreaks_text(text: &str, autoescape: bool) -> String {
    let text = normalize_newlines(text);
    // re.split("\n{2,}", text)
    let mut paras = Vec::new();
    let mut rest = text.as_str();
    loop {
        match rest.find("\n\n") {
            Some(i) => {
                paras.push(&rest[..i]);
                let after = &rest[i..];
                let run = after.len() - after.trim_start_matches('\n').len();
                rest = &rest[i + run..];
            }
            None => {
                paras.push(rest);
                break;
            }
        }
    }
    let paras: Vec<String> = paras
        .into_iter()
        .map(|p| {
            let p = if autoescape { escape(p) } else { p.to_owned() };
            format!("<p>{}</p>", p.replace('\n', "<br>"))
        })
        .collect();
    paras.join("\n\n")
}

pub(crate) fn linebreaksbr(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let autoescape = ctx.autoescape && !safe;
    let mut text = normalize_newlines(&s);
    if autoescape {
        text = escape(&text);
    }
    Ok(safe_out(text.replace('\n', "<br>")))
}

pub(crate) fn linenumbers(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let lines: Vec<&str> = s.split('\n').collect();
    let width = lines.len().to_string().len();
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let line = if !ctx.autoescape || safe {
            (*line).to_owned()
        } else {
            escape(line)
        };
        let _ = write!(text, "{:0width$}. {line}", i + 1);
    }
    Ok(safe_out(text))
}

pub(crate) fn striptags(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let text = super::htmlparse::strip_tags(&s)?;
    Ok(if safe { safe_out(text) } else { out(text) })
}

/// `int(arg)` for the truncate filters: `None` on `ValueError`.
fn length_arg(arg: Option<Value>) -> Result<Option<i64>> {
    match py_int(&req(arg)) {
        Ok(n) => Ok(Some(super::strings::clamp64(n))),
        Err(e) if e.is_value_error() => Ok(None),
        Err(e) => Err(e.into_error()),
    }
}

pub(crate) fn truncatechars_html(
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let text = match length_arg(arg)? {
        Some(n) => super::htmlparse::truncate_html(ctx.host, &s, n, false)?,
        None => s.to_string(),
    };
    Ok(if safe { safe_out(text) } else { out(text) })
}

pub(crate) fn truncatewords_html(
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let text = match length_arg(arg)? {
        Some(n) => super::htmlparse::truncate_html(ctx.host, &s, n, true)?,
        None => s.to_string(),
    };
    Ok(if safe { safe_out(text) } else { out(text) })
}

pub(crate) fn urlize(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(safe_out(super::urlize::urlize(
        &s,
        None,
        ctx.autoescape,
        safe,
    )?))
}

pub(crate) fn urlizetrunc(ctx: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let limit = super::strings::clamp64(py_int(&req(arg)).map_err(PyErr::into_error)?);
    Ok(safe_out(super::urlize::urlize(
        &s,
        Some(limit),
        ctx.autoescape,
        safe,
    )?))
}

pub(crate) fn json_script(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let mut json = String::new();
    json_dumps(&value, &mut json)?;
    let json = json
        .replace('>', "\\u003E")
        .replace('<', "\\u003C")
        .replace('&', "\\u0026");
    let id = match &arg {
        Some(a) if a.is_true()? => Some(conditional_escape(a)?),
        _ => None,
    };
    Ok(safe_out(match id {
        Some(id) => format!(
            "<script id=\"{}\" type=\"application/json\">{json}</script>",
            id.as_str().unwrap_or_default()
        ),
        None => format!("<script type=\"application/json\">{json}</script>"),
    }))
}

/// `json.dumps(value, cls=DjangoJSONEncoder)` (ASCII output, `", "` and
/// `": "` separators).
fn json_dumps(value: &Value, out: &mut String) -> Result<()> {
    match value {
        Value::None => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&if f.is_nan() {
            "NaN".to_owned()
        } else if f.is_infinite() {
            if *f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
        } else {
            crate::value::python_float_repr(*f)
        }),
        Value::Str(s) | Value::SafeStr(s) => json_str(s, out),
        Value::Undefined => json_str("", out),
        Value::Decimal(d) => json_str(d, out),
        Value::Date(d) => json_str(&d.to_string(), out),
        Value::DateTime(dt) => {
            let mut r = format!("{}T{}", dt.date, dt.time);
            if dt.time.microsecond != 0 {
                r = format!("{}{}", &r[..23], &r[26..]);
            }
            if let Some(stripped) = r.strip_suffix("+00:00") {
                r = format!("{stripped}Z");
            }
            json_str(&r, out);
        }
        Value::Time(t) => {
            if t.tz.is_some() {
                return Err(Error::render("JSON can't represent timezone-aware times."));
            }
            let mut r = t.to_string();
            if t.microsecond != 0 {
                r.truncate(12);
            }
            json_str(&r, out);
        }
        Value::List(items) => json_seq(items, out)?,
        Value::Map(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_str(k, out);
                out.push_str(": ");
                json_dumps(v, out)?;
            }
            out.push('}');
        }
        Value::Object(o) => match o.kind() {
            ObjectKind::Seq => json_seq(&o.iterate()?.unwrap_or_default(), out)?,
            ObjectKind::Map => {
                out.push('{');
                for (i, k) in o.iterate()?.unwrap_or_default().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let key = text_of(k)?;
                    json_str(&key, out);
                    out.push_str(": ");
                    let v = o.lookup(&key)?.unwrap_or(Value::None);
                    json_dumps(&v, out)?;
                }
                out.push('}');
            }
            ObjectKind::Plain => {
                return Err(Error::render(
                    "Object of this type is not JSON serializable",
                ))
            }
        },
    }
    Ok(())
}

fn json_seq(items: &[Value], out: &mut String) -> Result<()> {
    out.push('[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        json_dumps(v, out)?;
    }
    out.push(']');
    Ok(())
}

/// A JSON string with `ensure_ascii=True`.
fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether an item counts as a sublist in `unordered_list`
/// (`isinstance(x, (list, tuple, GeneratorType))`).
fn is_sublist(value: &Value) -> bool {
    match value {
        Value::List(_) => true,
        Value::Object(o) => o.kind() == ObjectKind::Seq,
        _ => false,
    }
}

pub(crate) fn unordered_list(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(safe_out(list_formatter(&value, 1, ctx.autoescape)?))
}

fn list_formatter(list: &Value, tabs: usize, autoescape: bool) -> Result<String> {
    let items = items(list)?;
    let indent = "\t".repeat(tabs);
    let mut output = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let item = &items[i];
        let mut children = None;
        if let Some(next) = items.get(i + 1) {
            if is_sublist(next) {
                children = Some(next.clone());
                i += 1;
            }
        }
        i += 1;
        let mut sublist = String::new();
        if let Some(children) = children {
            if children.is_true()? {
                sublist = format!(
                    "\n{indent}<ul>\n{}\n{indent}</ul>\n{indent}",
                    list_formatter(&children, tabs + 1, autoescape)?
                );
            }
        }
        let text = if autoescape {
            conditional_escape(item)?
        } else {
            item.to_text()?
        };
        output.push(format!(
            "{indent}<li>{}{sublist}</li>",
            text.as_str().unwrap_or_default()
        ));
    }
    Ok(output.join("\n"))
}
