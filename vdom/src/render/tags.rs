//! Rendering the tags that are not control flow: includes, cycles,
//! `url`, `now`, i18n and friends, host tags.
use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::{ops, py_eq, translate, value_in_context, Overlay, Renderer};
use crate::ast::{BlockTranslateNode, BtPart, I18nGet, Node, NodeKind, PrefixKind};
use crate::context::{Binding, Changed, Context};
use crate::env::TagKind;
use crate::error::{Error, ErrorKind, Result};
use crate::escape::{conditional_escape, escape_into};
use crate::filters::{self, FilterCtx};
use crate::host::Host;
use crate::value::{Map, Object, ObjectKind, Value};

impl Renderer<'_> {
    pub(super) fn render_tag(
        &mut self,
        node: &Node,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        match &node.node {
            NodeKind::CsrfToken => {
                if let Some(token) = ctx.get("csrf_token") {
                    if token.is_true()? {
                        let text = token.to_text()?;
                        let text = text.as_str().unwrap_or_default();
                        if text != "NOTPROVIDED" {
                            out.push_str(
                                "<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"",
                            );
                            if token.is_safe() {
                                out.push_str(text);
                            } else {
                                escape_into(text, out);
                            }
                            out.push_str("\">");
                        }
                    }
                }
            }
            NodeKind::Cycle(def) => {
                let key = Arc::as_ptr(def) as usize;
                let i = self.next_cycle(key, def.values.len());
                let Some(expr) = def.values.get(i) else {
                    return Ok(());
                };
                let value = self.resolve_expr(expr, ctx, host, false)?;
                if let Some(name) = &def.name {
                    ctx.set_upward(name, value.clone());
                }
                if !def.silent {
                    self.write_value(&value, ctx.autoescape, host, out)?;
                }
            }
            NodeKind::ResetCycle(def) => self.reset_cycle(Arc::as_ptr(def) as usize),
            NodeKind::Debug => {
                if let Some(text) = host.debug_dump(ctx.root(), &ctx.flatten())? {
                    escape_into(&text, out);
                    return Ok(());
                }
                if !self.env.options.debug {
                    return Ok(());
                }
                for (name, value) in ctx.flatten() {
                    let line = format!("{}: {}\n", super::repr_text(&name), value.repr()?);
                    escape_into(&line, out);
                }
            }
            NodeKind::Filter(expr, body) => {
                let text = self.render_to_string(body, ctx, host)?;
                ctx.push();
                ctx.set(
                    &Arc::from("var"),
                    Binding::Value(Value::SafeStr(Arc::from(text))),
                );
                let r = self.resolve_expr(expr, ctx, host, false);
                ctx.pop();
                let v = r?.to_text()?;
                out.push_str(v.as_str().unwrap_or_default());
            }
            NodeKind::Firstof(exprs, asvar) => {
                let mut first = Value::from("");
                for e in exprs {
                    let v = self.resolve_expr(e, ctx, host, true)?;
                    if v.is_true()? {
                        first = value_in_context(&v, ctx.autoescape, host)?;
                        break;
                    }
                }
                match asvar {
                    Some(name) => ctx.set(name, Binding::Value(first)),
                    None => out.push_str(first.as_str().unwrap_or_default()),
                }
            }
            NodeKind::IfChanged(c) => {
                let key = &**c as *const _ as usize;
                let mut rendered = None;
                let compare = if c.vars.is_empty() {
                    let s = self.render_to_string(&c.body, ctx, host)?;
                    rendered = Some(s.clone());
                    Changed::Text(s)
                } else {
                    let mut values = Vec::with_capacity(c.vars.len());
                    for v in &c.vars {
                        values.push(self.resolve_expr(v, ctx, host, true)?);
                    }
                    Changed::Values(values)
                };
                if self.changed(key, compare, ctx) {
                    match rendered {
                        Some(s) if !s.is_empty() => out.push_str(&s),
                        _ => self.render_nodes(&c.body, ctx, host, out)?,
                    }
                } else {
                    self.render_nodes(&c.otherwise, ctx, host, out)?;
                }
            }
            NodeKind::Lorem {
                count,
                method,
                common,
            } => {
                let n = self.resolve_expr(count, ctx, host, false)?;
                let n = ops::py_int(&n).unwrap_or(1);
                if *method == 'w' {
                    out.push_str(&crate::lorem::words(n, *common));
                } else {
                    // Bounded so a huge count cannot exhaust memory.
                    let n = usize::try_from(n).unwrap_or(0).min(10_000);
                    let paras = crate::lorem::paragraphs(n, *common);
                    let paras: Vec<String> = if *method == 'p' {
                        paras.into_iter().map(|p| format!("<p>{p}</p>")).collect()
                    } else {
                        paras
                    };
                    out.push_str(&paras.join("\n\n"));
                }
            }
            NodeKind::Now(format, asvar) => {
                let now = host.now()?;
                let formatted = match filters::builtin("date") {
                    Some(date) => filters::apply(
                        date,
                        &FilterCtx {
                            autoescape: ctx.autoescape,
                            host,
                        },
                        Value::DateTime(now),
                        Some(Value::from(&**format)),
                    )?,
                    None => {
                        return Err(Error::new(
                            ErrorKind::Unsupported,
                            "{% now %} needs the 'date' filter, which is not available",
                        ))
                    }
                };
                let formatted = formatted.to_text()?;
                match asvar {
                    Some(name) => ctx.set(name, Binding::Value(formatted)),
                    None => out.push_str(formatted.as_str().unwrap_or_default()),
                }
            }
            NodeKind::Regroup(r) => {
                let list = self.resolve_expr(&r.target, ctx, host, true)?;
                if matches!(list, Value::None) {
                    ctx.set(&r.var, Binding::Value(Value::list(Vec::new())));
                    return Ok(());
                }
                let items = list.iterate()?.ok_or_else(|| {
                    Error::render(format!(
                        "'{}' object is not iterable",
                        super::type_name(&list)
                    ))
                })?;
                let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
                for item in items {
                    ctx.set(&r.var, Binding::Value(item.clone()));
                    let key = self.resolve_expr(&r.expr, ctx, host, true)?;
                    match groups.last_mut() {
                        Some((k, members)) if py_eq(k, &key) => members.push(item),
                        _ => groups.push((key, vec![item])),
                    }
                }
                let groups = groups
                    .into_iter()
                    .map(|(grouper, list)| {
                        Value::Object(Arc::new(GroupedResult {
                            grouper,
                            list: Value::list(list),
                        }))
                    })
                    .collect();
                ctx.set(&r.var, Binding::Value(Value::list(groups)));
            }
            NodeKind::Url(u) => {
                let view = self.resolve_expr(&u.view, ctx, host, false)?.to_text()?;
                let mut args = Vec::with_capacity(u.args.len());
                for a in &u.args {
                    args.push(self.resolve_expr(a, ctx, host, false)?);
                }
                let mut kwargs = Vec::with_capacity(u.kwargs.len());
                for (k, e) in &u.kwargs {
                    kwargs.push((k.to_string(), self.resolve_expr(e, ctx, host, false)?));
                }
                let url = match host.reverse(view.as_str().unwrap_or_default(), &args, &kwargs) {
                    Ok(url) => url,
                    Err(_) if u.asvar.is_some() => String::new(),
                    Err(e) => return Err(e),
                };
                match &u.asvar {
                    Some(name) => ctx.set(name, Binding::Value(Value::from(url))),
                    None if ctx.autoescape => escape_into(&url, out),
                    None => out.push_str(&url),
                }
            }
            NodeKind::WidthRatio(exprs, asvar) => {
                let value = self.resolve_expr(&exprs[0], ctx, host, false);
                let max_value = self.resolve_expr(&exprs[1], ctx, host, false);
                let max_width = self.resolve_expr(&exprs[2], ctx, host, false);
                let (value, max_value, max_width) = match (value, max_value, max_width) {
                    (Ok(a), Ok(b), Ok(c)) => (a, b, c),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                        if super::is_does_not_exist(&e) {
                            return Ok(());
                        }
                        return Err(e);
                    }
                };
                let Some(max_width) = ops::py_int(&max_width) else {
                    return Err(Error::syntax("widthratio final argument must be a number"));
                };
                let result = match (ops::py_float(&value), ops::py_float(&max_value)) {
                    (Some(v), Some(m)) => {
                        if m == 0.0 {
                            "0".to_owned()
                        } else {
                            let ratio = (v / m) * max_width as f64;
                            if ratio.is_finite() {
                                format!("{}", ratio.round_ties_even() as i128)
                            } else {
                                String::new()
                            }
                        }
                    }
                    _ => String::new(),
                };
                match asvar {
                    Some(name) => ctx.set(name, Binding::Value(Value::from(result))),
                    None => out.push_str(&result),
                }
            }
            NodeKind::Static(path, asvar) => {
                let p = self.resolve_expr(path, ctx, host, false)?.to_text()?;
                let url = Value::from(host.static_url(p.as_str().unwrap_or_default())?);
                let url = if ctx.autoescape {
                    conditional_escape(&url)?
                } else {
                    url
                };
                match asvar {
                    Some(name) => ctx.set(name, Binding::Value(url)),
                    None => out.push_str(url.as_str().unwrap_or_default()),
                }
            }
            NodeKind::Prefix(kind, asvar) => {
                let prefix = match kind {
                    PrefixKind::Static => host.static_prefix(),
                    PrefixKind::Media => host.media_prefix(),
                };
                match asvar {
                    Some(name) => ctx.set(name, Binding::Value(Value::from(prefix))),
                    None => out.push_str(&prefix),
                }
            }
            NodeKind::Translate(t) => {
                let message_context = match &t.context {
                    Some(c) => Some(text_of(&self.resolve_expr(c, ctx, host, false)?)?),
                    None => None,
                };
                let head = match self.resolve_operand(&t.message.head, ctx, host)? {
                    Some(v) => v,
                    None => {
                        let sii = &self.env.options.string_if_invalid;
                        if sii.is_empty() {
                            Value::from("")
                        } else {
                            Value::from(sii.replace("%s", &t.message.head.text))
                        }
                    }
                };
                let head = if t.noop {
                    head
                } else {
                    translate(&head, message_context.as_deref(), host)
                };
                let output = self.apply_filters(&t.message, head, ctx, host)?;
                let value = value_in_context(&output, ctx.autoescape, host)?;
                let text = value.as_str().unwrap_or_default().replace("%%", "%");
                let value = if value.is_safe() {
                    Value::SafeStr(Arc::from(text))
                } else {
                    Value::Str(Arc::from(text))
                };
                match &t.asvar {
                    Some(name) => ctx.set(name, Binding::Value(value)),
                    None => out.push_str(value.as_str().unwrap_or_default()),
                }
            }
            NodeKind::BlockTranslate(b) => self.render_blocktranslate(b, ctx, host, out)?,
            NodeKind::I18nGet(get) => {
                let (name, value) = match get {
                    I18nGet::CurrentLanguage(n) => (n, Value::from(host.language())),
                    I18nGet::CurrentLanguageBidi(n) => (n, Value::Bool(host.language_bidi())),
                    I18nGet::AvailableLanguages(n) => (
                        n,
                        Value::list(
                            host.available_languages()
                                .into_iter()
                                .map(|(code, name)| {
                                    Value::list(vec![Value::from(code), Value::from(name)])
                                })
                                .collect(),
                        ),
                    ),
                    I18nGet::LanguageInfo(e, n) => {
                        let code = self.resolve_expr(e, ctx, host, false)?;
                        (n, language_info(host, &text_of(&code)?)?)
                    }
                    I18nGet::LanguageInfoList(e, n) => {
                        let langs = self.resolve_expr(e, ctx, host, false)?;
                        let mut infos = Vec::new();
                        for lang in langs.iter_or_empty()? {
                            // A code, or a sequence whose first item is one.
                            let first = lang.get_attr("0")?.unwrap_or(Value::Undefined);
                            let code = if first.len()?.unwrap_or(0) > 1 {
                                text_of(&first)?
                            } else {
                                text_of(&lang)?
                            };
                            infos.push(language_info(host, &code)?);
                        }
                        (n, Value::list(infos))
                    }
                };
                ctx.set(name, Binding::Value(value));
            }
            NodeKind::Language(lang, body) => {
                let code = text_of(&self.resolve_expr(lang, ctx, host, false)?)?;
                let mut overlay = Overlay::new(host);
                overlay.language = Some(code.clone());
                let mut result = Ok(());
                host.with_language(&code, &mut || {
                    result = self.render_nodes(body, ctx, &overlay, out);
                    Ok(())
                })?;
                result?;
            }
            NodeKind::Localize(on, body) => {
                let mut overlay = Overlay::new(host);
                overlay.l10n = Some(*on);
                self.render_nodes(body, ctx, &overlay, out)?;
            }
            NodeKind::LocalTime(on, body) => {
                let mut overlay = Overlay::new(host);
                overlay.tz = Some(*on);
                self.render_nodes(body, ctx, &overlay, out)?;
            }
            NodeKind::Timezone(tz, body) => {
                let zone = self.resolve_expr(tz, ctx, host, false)?;
                let mut overlay = Overlay::new(host);
                if let Some(name) = zone.as_str() {
                    overlay.zone = Some(name.to_owned());
                }
                let mut result = Ok(());
                host.with_timezone(&zone, &mut || {
                    result = self.render_nodes(body, ctx, &overlay, out);
                    Ok(())
                })?;
                result?;
            }
            NodeKind::GetCurrentTimezone(name) => {
                ctx.set(name, Binding::Value(Value::from(host.timezone_name())));
            }
            NodeKind::Include(inc) => self.render_include(inc, ctx, host, out)?,
            NodeKind::Custom(c) => self.render_custom(c, ctx, host, out)?,
            // Handled by `render_node`.
            _ => {}
        }
        Ok(())
    }

    fn render_include(
        &mut self,
        inc: &crate::ast::IncludeNode,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let name = self.resolve_expr(&inc.template, ctx, host, false)?;
        let given = crate::env::TemplateRef::from_value(&name);
        let names: Vec<String> = match &name {
            _ if given.is_some() => Vec::new(),
            Value::Str(s) | Value::SafeStr(s) => {
                if s.is_empty() {
                    Vec::new()
                } else {
                    vec![s.to_string()]
                }
            }
            Value::None | Value::Undefined => Vec::new(),
            other if !other.is_true()? => Vec::new(),
            other => match other.iterate()? {
                Some(items) => items.iter().map(text_of).collect::<Result<_>>()?,
                None => vec![text_of(other)?],
            },
        };
        let template = match given {
            Some(t) => t,
            None => self.select_template(&names)?,
        };
        let values = self.resolve_kwargs(&inc.with, ctx, host)?;
        if inc.only {
            let mut map = Map::new();
            for (k, v) in values {
                map.insert(k, v);
            }
            let mut inner = ctx.new_like(Value::Map(Arc::new(map)));
            self.render_nested(&template, &mut inner, host, out)
        } else {
            ctx.push();
            for (k, v) in values {
                ctx.set(&k, Binding::Value(v));
            }
            let r = self.render_nested(&template, ctx, host, out);
            ctx.pop();
            r
        }
    }

    /// Django's `select_template`: the first name that exists.
    fn select_template(&self, names: &[String]) -> Result<Arc<crate::env::Template>> {
        if names.is_empty() {
            return Err(Error::new(
                ErrorKind::TemplateNotFound,
                "No template names provided",
            ));
        }
        for name in names {
            match crate::env::get_template(self.env, name, &[]) {
                Ok(t) => return Ok(t),
                Err(e) if e.kind() == ErrorKind::TemplateNotFound && e.detail() == name => {}
                Err(e) => return Err(e),
            }
        }
        Err(Error::new(ErrorKind::TemplateNotFound, names.join(", ")))
    }

    fn render_custom(
        &mut self,
        c: &crate::ast::CustomNode,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let mut args = Vec::with_capacity(c.args.len());
        for a in &c.args {
            args.push(self.resolve_expr(a, ctx, host, false)?);
        }
        let mut kwargs = Vec::with_capacity(c.kwargs.len());
        for (k, e) in &c.kwargs {
            kwargs.push((k.to_string(), self.resolve_expr(e, ctx, host, false)?));
        }
        let takes_context = c.tag.signature().takes_context;
        let result = c
            .tag
            .call(if takes_context { Some(&*ctx) } else { None }, args, kwargs)?;
        match c.tag.kind() {
            TagKind::Simple => match &c.asvar {
                Some(name) => ctx.set(name, Binding::Value(result)),
                None => {
                    let v = if ctx.autoescape {
                        conditional_escape(&result)?
                    } else {
                        result.to_text()?
                    };
                    out.push_str(v.as_str().unwrap_or_default());
                }
            },
            TagKind::Inclusion { template } => {
                let t = crate::env::get_template(self.env, &template, &[])?;
                let mut inner = ctx.new_like(result);
                if let Some(token) = ctx.get("csrf_token") {
                    if !matches!(token, Value::None) {
                        inner.push();
                        inner.set(&Arc::from("csrf_token"), Binding::Value(token));
                    }
                }
                self.render_nested(&t, &mut inner, host, out)?;
            }
        }
        Ok(())
    }

    fn render_blocktranslate(
        &mut self,
        b: &BlockTranslateNode,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let message_context = match &b.context {
            Some(c) => Some(text_of(&self.resolve_expr(c, ctx, host, false)?)?),
            None => None,
        };
        let values = self.resolve_kwargs(&b.with, ctx, host)?;
        ctx.push();
        for (k, v) in values {
            ctx.set(&k, Binding::Value(v));
        }
        let r = self.blocktranslate_inner(b, message_context.as_deref(), ctx, host, true);
        ctx.pop();
        let result = r?;
        match &b.asvar {
            Some(name) => ctx.set(name, Binding::Value(Value::SafeStr(Arc::from(result)))),
            None => out.push_str(&result),
        }
        Ok(())
    }

    fn blocktranslate_inner(
        &mut self,
        b: &BlockTranslateNode,
        message_context: Option<&str>,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        translated: bool,
    ) -> Result<String> {
        let (singular, mut vars) = token_list(&b.singular, b.trimmed);
        let result = match &b.count {
            Some((countervar, counter)) if !b.plural.is_empty() => {
                let count = self.resolve_expr(counter, ctx, host, false)?;
                let n = match &count {
                    Value::Int(i) => *i,
                    Value::Bool(v) => i64::from(*v),
                    Value::Float(f) => {
                        if f.fract() == 0.0 {
                            *f as i64
                        } else {
                            // Not 1: plural in every language where 1 is special.
                            i64::MAX
                        }
                    }
                    Value::Decimal(d) => d.parse::<f64>().map(|f| f as i64).unwrap_or(0),
                    _ => {
                        return Err(Error::syntax(format!(
                            "{} argument to {} tag must be a number.",
                            super::repr_text(countervar),
                            super::repr_text(&b.tag_name)
                        )))
                    }
                };
                ctx.set(countervar, Binding::Value(count));
                let (plural, plural_vars) = token_list(&b.plural, b.trimmed);
                vars.extend(plural_vars);
                if !translated {
                    if n == 1 {
                        singular
                    } else {
                        plural
                    }
                } else {
                    match message_context {
                        Some(c) => host.npgettext(c, &singular, &plural, n),
                        None => host.ngettext(&singular, &plural, n),
                    }
                }
            }
            _ => {
                if !translated {
                    singular
                } else {
                    match message_context {
                        Some(c) => host.pgettext(c, &singular),
                        None => host.gettext(&singular),
                    }
                }
            }
        };
        let sii = &self.env.options.string_if_invalid;
        let mut data: Vec<(String, Value)> = Vec::with_capacity(vars.len());
        for v in &vars {
            let val = match ctx.get(v) {
                Some(val) => val,
                None => Value::from(if sii.contains("%s") {
                    sii.replace("%s", v)
                } else {
                    sii.clone()
                }),
            };
            data.push((v.clone(), value_in_context(&val, ctx.autoescape, host)?));
        }
        match percent_format(&result, &data) {
            Some(s) => Ok(s),
            None if translated => self.blocktranslate_inner(b, message_context, ctx, host, false),
            None => Err(Error::syntax(format!(
                "{} is unable to format string returned by gettext: {} using data",
                super::repr_text(&b.tag_name),
                super::repr_text(&result)
            ))),
        }
    }
}

/// `BlockTranslateNode.render_token_list`: the msgid and its variables.
fn token_list(parts: &[BtPart], trimmed: bool) -> (String, Vec<String>) {
    let mut msg = String::new();
    let mut vars = Vec::new();
    for p in parts {
        match p {
            BtPart::Text(t) => msg.push_str(&t.replace('%', "%%")),
            BtPart::Var(v) => {
                msg.push_str("%(");
                msg.push_str(v);
                msg.push_str(")s");
                vars.push(v.to_string());
            }
        }
    }
    if trimmed {
        msg = trim_whitespace(&msg);
    }
    (msg, vars)
}

/// Django's `translation.trim_whitespace`: `strip()`, then `\s*\n\s*` → " ".
fn trim_whitespace(s: &str) -> String {
    let s = s.trim_matches(crate::lexer::is_py_space);
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if crate::lexer::is_py_space(chars[i]) {
            let start = i;
            while i < chars.len() && crate::lexer::is_py_space(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            if run.contains('\n') {
                out.push(' ');
            } else {
                out.push_str(&run);
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Python's `msg % data` for `%(name)s` and `%%`; `None` on a format error.
fn percent_format(msg: &str, data: &[(String, Value)]) -> Option<String> {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('%') {
            out.push('%');
            rest = r;
        } else if let Some(r) = after.strip_prefix('(') {
            let close = r.find(')')?;
            let key = &r[..close];
            let r = r[close + 1..].strip_prefix('s')?;
            let (_, v) = data.iter().find(|(k, _)| k == key)?;
            out.push_str(v.as_str().unwrap_or_default());
            rest = r;
        } else {
            return None;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Django's `get_language_info(code)` dict.
fn language_info(host: &dyn Host, code: &str) -> Result<Value> {
    let Some(info) = host.language_info(code) else {
        return Err(Error::render(format!("Unknown language code {code}.")));
    };
    let mut map = Map::new();
    map.insert(Arc::from("bidi"), Value::Bool(info.bidi));
    map.insert(Arc::from("code"), Value::from(code));
    map.insert(Arc::from("name"), Value::from(info.name.as_str()));
    map.insert(
        Arc::from("name_local"),
        Value::from(info.name_local.as_str()),
    );
    map.insert(
        Arc::from("name_translated"),
        Value::from(host.gettext(&info.name)),
    );
    Ok(Value::Map(Arc::new(map)))
}

/// `str(value)` as a Rust string.
fn text_of(v: &Value) -> Result<String> {
    Ok(v.to_text()?.as_str().unwrap_or_default().to_owned())
}

trait IterOrEmpty {
    fn iter_or_empty(&self) -> Result<Vec<Value>>;
}

impl IterOrEmpty for Value {
    fn iter_or_empty(&self) -> Result<Vec<Value>> {
        Ok(self.iterate()?.unwrap_or_default())
    }
}

/// `{% regroup %}`'s `GroupedResult(grouper, list)` namedtuple.
struct GroupedResult {
    grouper: Value,
    list: Value,
}

impl fmt::Debug for GroupedResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupedResult")
            .field("grouper", &self.grouper)
            .finish()
    }
}

impl Object for GroupedResult {
    fn lookup(&self, key: &str) -> Result<Option<Value>> {
        Ok(match key {
            "grouper" | "0" => Some(self.grouper.clone()),
            "list" | "1" => Some(self.list.clone()),
            _ => None,
        })
    }

    fn to_text(&self) -> Result<Value> {
        Ok(Value::from(format!(
            "GroupedResult(grouper={}, list={})",
            self.grouper.repr()?,
            self.list.repr()?
        )))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn kind(&self) -> ObjectKind {
        ObjectKind::Seq
    }

    fn iterate(&self) -> Result<Option<Vec<Value>>> {
        Ok(Some(vec![self.grouper.clone(), self.list.clone()]))
    }

    fn len(&self) -> Result<Option<usize>> {
        Ok(Some(2))
    }
}
