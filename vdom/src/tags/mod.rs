//! Parsing each tag, as the tag functions of Django's `defaulttags`,
//! `loader_tags` and the `static`, `i18n`, `l10n` and `tz` libraries do,
//! with their error messages.
mod core;
mod custom;
mod libs;

use std::sync::Arc;

use crate::ast::{FilterExpr, Kwarg, NodeKind};
use crate::error::{Error, Result};
use crate::lexer::Token;
use crate::parser::Parser;

impl<'s> Parser<'s> {
    /// Parse a tag implemented by this engine. Each tag is its own
    /// function, called through a pointer, so the frames on the recursive
    /// path (`parse` → tag → `parse`) stay small even in debug builds.
    pub(crate) fn parse_native(
        &mut self,
        name: &'static str,
        token: Token<'s>,
    ) -> Result<NodeKind> {
        let f: TagFn<'s> = match name {
            "autoescape" => |p, c| p.tag_autoescape(c.contents),
            "comment" => |p, _| p.tag_comment(),
            "csrf_token" => |_, _| Ok(NodeKind::CsrfToken),
            "cycle" => |p, c| p.parse_cycle(c.bits()),
            "resetcycle" => |p, c| p.tag_resetcycle(c.bits()),
            "debug" => |_, _| Ok(NodeKind::Debug),
            "filter" => |p, c| p.tag_filter(c.contents),
            "firstof" => |p, c| p.tag_firstof(c.bits()),
            "for" => |p, c| p.parse_for(c.contents, c.bits()),
            "if" => |p, c| p.parse_if(c.bits()),
            "ifchanged" => |p, c| p.tag_ifchanged(c.bits()),
            "load" => |p, c| p.tag_load(c.contents),
            "lorem" => |p, c| p.tag_lorem(c.bits()),
            "now" => |p, c| p.tag_now(c.bits()),
            "regroup" => |p, c| p.tag_regroup(c.bits()),
            "spaceless" => |p, _| Ok(NodeKind::Spaceless(p.body(&["endspaceless"])?)),
            "templatetag" => |p, c| p.tag_templatetag(c.contents),
            "url" => |p, c| p.tag_url(c.bits()),
            "verbatim" => |p, _| p.tag_verbatim(),
            "widthratio" => |p, c| p.tag_widthratio(c.bits()),
            "with" => |p, c| p.tag_with(c.bits()),
            "block" => |p, c| p.parse_block(c.contents),
            "extends" => |p, c| p.tag_extends(c.bits()),
            "include" => |p, c| p.parse_include(c.bits()),
            "static" => |p, c| p.lib_static(c.bits()),
            "get_static_prefix" | "get_media_prefix" => {
                |p, c| p.lib_get_static_prefix(c.name, c.contents)
            }
            "get_current_language" => |p, c| p.lib_get_current_language(c.name, c.contents),
            "get_current_language_bidi" => {
                |p, c| p.lib_get_current_language_bidi(c.name, c.contents)
            }
            "get_available_languages" => |p, c| p.lib_get_available_languages(c.name, c.contents),
            "get_current_timezone" => |_, c| {
                Ok(NodeKind::GetCurrentTimezone(libs::as_var(
                    c.contents, c.name,
                )?))
            },
            "get_language_info" | "get_language_info_list" => {
                |p, c| p.lib_get_language_info(c.name, c.bits())
            }
            "trans" | "translate" => |p, c| p.parse_translate(c.bits()),
            "blocktrans" | "blocktranslate" => |p, c| p.parse_blocktranslate(c.bits()),
            "language" => |p, c| p.lib_language(c.bits()),
            "localize" | "localtime" => |p, c| p.lib_localize(c.name, c.bits()),
            "timezone" => |p, c| p.lib_timezone(c.bits()),
            _ => return Err(Error::syntax(format!("Unknown tag '{name}'"))),
        };
        f(
            self,
            TagCall {
                name,
                contents: token.contents,
            },
        )
    }

    /// Consume the end tag a body stopped at (`parser.delete_first_token()`).
    pub(crate) fn body(&mut self, until: &[&str]) -> Result<Vec<crate::ast::Node>> {
        let nodes = self.parse(until)?;
        self.end_tag();
        Ok(nodes)
    }
}

/// What a tag function gets: its name and the tag's contents.
pub(crate) struct TagCall<'s> {
    name: &'static str,
    contents: &'s str,
}

impl TagCall<'_> {
    /// Django's `token.split_contents()`.
    fn bits(&self) -> Vec<String> {
        crate::lexer::split_contents(self.contents)
    }
}

type TagFn<'s> = fn(&mut Parser<'s>, TagCall<'s>) -> Result<NodeKind>;

/// Django's `kwarg_re` (`(?:(\w+)=)?(.+)`): the name (if any) and the value.
pub(crate) fn kwarg_split(bit: &str) -> Option<(Option<&str>, &str)> {
    let name_end = bit
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(bit.len());
    if name_end > 0 && bit[name_end..].starts_with('=') && bit.len() > name_end + 1 {
        let value = &bit[name_end + 1..];
        if !value.contains('\n') {
            return Some((Some(&bit[..name_end]), value));
        }
    }
    if bit.is_empty() || bit.contains('\n') {
        return None;
    }
    Some((None, bit))
}

/// Django's `token_kwargs(bits, parser, support_legacy)`: consumes the
/// keyword arguments at the front of `bits`.
pub(crate) fn token_kwargs(
    parser: &Parser<'_>,
    bits: &mut Vec<String>,
    support_legacy: bool,
) -> Result<Vec<Kwarg>> {
    let mut out: Vec<Kwarg> = Vec::new();
    if bits.is_empty() {
        return Ok(out);
    }
    let kwarg_format = matches!(kwarg_split(&bits[0]), Some((Some(_), _)));
    if !kwarg_format && (!support_legacy || bits.len() < 3 || bits[1] != "as") {
        return Ok(out);
    }
    while !bits.is_empty() {
        let (key, value) = if kwarg_format {
            match kwarg_split(&bits[0]) {
                Some((Some(k), v)) => {
                    let kv = (k.to_owned(), v.to_owned());
                    bits.remove(0);
                    kv
                }
                _ => return Ok(out),
            }
        } else {
            if bits.len() < 3 || bits[1] != "as" {
                return Ok(out);
            }
            let kv = (bits[2].clone(), bits[0].clone());
            bits.drain(..3);
            kv
        };
        let expr = parser.compile_filter(&value)?;
        // A repeated key keeps its first position and the last value (dict).
        if let Some(slot) = out.iter_mut().find(|(k, _)| **k == *key) {
            slot.1 = expr;
        } else {
            out.push((Arc::from(key), expr));
        }
        if !bits.is_empty() && !kwarg_format {
            if bits[0] != "and" {
                return Ok(out);
            }
            bits.remove(0);
        }
    }
    Ok(out)
}

/// Django's `construct_relative_path` for `extends`/`include` names.
pub(crate) fn relative_path(current: Option<&str>, relative: &str) -> Result<String> {
    let new_name = relative.trim_matches(['\'', '"']);
    if !(new_name.starts_with("./") || new_name.starts_with("../")) {
        return Ok(relative.to_owned());
    }
    let current = current.unwrap_or("");
    let cur = current.trim_start_matches('/');
    let dir = match cur.rfind('/') {
        Some(i) => &cur[..i],
        None => "",
    };
    let joined = if dir.is_empty() {
        new_name.to_owned()
    } else {
        format!("{dir}/{new_name}")
    };
    let normalized = normpath(&joined);
    if normalized.starts_with("../") {
        return Err(Error::syntax(format!(
            "The relative path '{relative}' points outside the file hierarchy that template '{current}' is in."
        )));
    }
    if cur == normalized {
        return Err(Error::syntax(format!(
            "The relative path '{relative}' was translated to template name '{normalized}', the same template in which the tag appears."
        )));
    }
    let quoted = (relative.starts_with('"') || relative.starts_with('\''))
        && relative.chars().next() == relative.chars().last();
    Ok(if quoted {
        format!("\"{normalized}\"")
    } else {
        normalized
    })
}

/// `posixpath.normpath` for relative paths.
fn normpath(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// `bits[-2] == "as"`: split off the variable name.
pub(crate) fn take_asvar(bits: &mut Vec<String>, min_len: usize) -> Option<Arc<str>> {
    if bits.len() >= min_len && bits[bits.len() - 2] == "as" {
        let var = bits.pop().map(Arc::from);
        bits.pop();
        var
    } else {
        None
    }
}

/// Compile each bit as a filter expression.
pub(crate) fn compile_all(parser: &Parser<'_>, bits: &[String]) -> Result<Vec<FilterExpr>> {
    bits.iter().map(|b| parser.compile_filter(b)).collect()
}

/// Python's `repr()` of a list of strings (for error messages).
pub(crate) fn py_list_repr(items: &[String]) -> String {
    let inner: Vec<String> = items
        .iter()
        .map(|s| crate::value::python_str_repr(s))
        .collect();
    format!("[{}]", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_like_django() {
        assert_eq!(
            relative_path(Some("a/b/c.html"), "'../d.html'").unwrap(),
            "\"a/d.html\""
        );
        assert_eq!(relative_path(Some("a/c.html"), "x").unwrap(), "x");
        assert!(relative_path(Some("c.html"), "'../d.html'").is_err());
        assert!(relative_path(Some("a/c.html"), "'./c.html'").is_err());
    }

    #[test]
    fn kwarg_re() {
        assert_eq!(kwarg_split("a=b"), Some((Some("a"), "b")));
        assert_eq!(kwarg_split("a=b=c"), Some((Some("a"), "b=c")));
        assert_eq!(kwarg_split("=b"), Some((None, "=b")));
        assert_eq!(kwarg_split("a="), Some((None, "a=")));
    }
}
