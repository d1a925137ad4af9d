//! The tags of Django's `static`, `i18n`, `l10n` and `tz` libraries.
use std::sync::Arc;

use super::{py_list_repr, token_kwargs};
use crate::ast::{BlockTranslateNode, BtPart, I18nGet, NodeKind, PrefixKind, TranslateNode};
use crate::error::{Error, Result};
use crate::lexer::{is_py_space, Token, TokenKind};
use crate::parser::Parser;
use crate::value::python_str_repr;

fn words(contents: &str) -> Vec<String> {
    contents
        .split(is_py_space)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `get_x as var` tags: the variable name.
pub(super) fn as_var(contents: &str, tag: &str) -> Result<Arc<str>> {
    let args = words(contents);
    if args.len() != 3 || args[1] != "as" {
        return Err(Error::syntax(format!(
            "'{tag}' requires 'as variable' (got {})",
            py_list_repr(&args)
        )));
    }
    Ok(Arc::from(args[2].as_str()))
}

impl<'s> Parser<'s> {
    pub(super) fn lib_static(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            if bits.len() < 2 {
                return Err(Error::syntax(format!(
                    "'{}' takes at least one argument (path to file)",
                    bits[0]
                )));
            }
            let path = self.compile_filter(&bits[1])?;
            let var = if bits.len() >= 2 && bits[bits.len() - 2] == "as" {
                // Django reads bits[3] here, whatever the length.
                match bits.get(3) {
                    Some(v) => Some(Arc::from(v.as_str())),
                    None => return Err(Error::syntax("list index out of range")),
                }
            } else {
                None
            };
            NodeKind::Static(path, var)
        })
    }

    pub(super) fn lib_get_static_prefix(
        &mut self,
        name: &'static str,
        contents: &str,
    ) -> Result<NodeKind> {
        Ok({
            let toks = words(contents);
            if toks.len() > 1 && toks[1] != "as" {
                return Err(Error::syntax(format!(
                    "First argument in '{}' must be 'as'",
                    toks[0]
                )));
            }
            let var = if toks.len() > 1 {
                match toks.get(2) {
                    Some(v) => Some(Arc::from(v.as_str())),
                    None => return Err(Error::syntax("list index out of range")),
                }
            } else {
                None
            };
            let kind = if name == "get_static_prefix" {
                PrefixKind::Static
            } else {
                PrefixKind::Media
            };
            NodeKind::Prefix(kind, var)
        })
    }

    pub(super) fn lib_get_current_language(
        &mut self,
        name: &'static str,
        contents: &str,
    ) -> Result<NodeKind> {
        Ok(NodeKind::I18nGet(I18nGet::CurrentLanguage(as_var(
            contents, name,
        )?)))
    }

    pub(super) fn lib_get_current_language_bidi(
        &mut self,
        name: &'static str,
        contents: &str,
    ) -> Result<NodeKind> {
        Ok(NodeKind::I18nGet(I18nGet::CurrentLanguageBidi(as_var(
            contents, name,
        )?)))
    }

    pub(super) fn lib_get_available_languages(
        &mut self,
        name: &'static str,
        contents: &str,
    ) -> Result<NodeKind> {
        Ok(NodeKind::I18nGet(I18nGet::AvailableLanguages(as_var(
            contents, name,
        )?)))
    }

    pub(super) fn lib_get_language_info(
        &mut self,
        name: &'static str,
        bits: Vec<String>,
    ) -> Result<NodeKind> {
        Ok({
            if bits.len() != 5 || bits[1] != "for" || bits[3] != "as" {
                let what = if name == "get_language_info" {
                    "string"
                } else {
                    "sequence"
                };
                return Err(Error::syntax(format!(
                    "'{}' requires 'for {what} as variable' (got {})",
                    bits[0],
                    py_list_repr(&bits[1..])
                )));
            }
            let expr = self.compile_filter(&bits[2])?;
            let var: Arc<str> = Arc::from(bits[4].as_str());
            NodeKind::I18nGet(if name == "get_language_info" {
                I18nGet::LanguageInfo(expr, var)
            } else {
                I18nGet::LanguageInfoList(expr, var)
            })
        })
    }

    pub(super) fn lib_language(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            if bits.len() != 2 {
                return Err(Error::syntax(format!(
                    "'{}' takes one argument (language)",
                    bits[0]
                )));
            }
            let lang = self.compile_filter(&bits[1])?;
            NodeKind::Language(lang, self.body(&["endlanguage"])?)
        })
    }

    pub(super) fn lib_localize(
        &mut self,
        name: &'static str,
        bits: Vec<String>,
    ) -> Result<NodeKind> {
        Ok({
            let on = match bits.len() {
                1 => true,
                2 if bits[1] == "on" || bits[1] == "off" => bits[1] == "on",
                _ => {
                    return Err(Error::syntax(format!(
                        "{} argument should be 'on' or 'off'",
                        python_str_repr(&bits[0])
                    )))
                }
            };
            if name == "localize" {
                NodeKind::Localize(on, self.body(&["endlocalize"])?)
            } else {
                NodeKind::LocalTime(on, self.body(&["endlocaltime"])?)
            }
        })
    }

    pub(super) fn lib_timezone(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            if bits.len() != 2 {
                return Err(Error::syntax(format!(
                    "'{}' takes one argument (timezone)",
                    bits[0]
                )));
            }
            let tz = self.compile_filter(&bits[1])?;
            NodeKind::Timezone(tz, self.body(&["endtimezone"])?)
        })
    }

    pub(super) fn parse_translate(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        if bits.len() < 2 {
            return Err(Error::syntax(format!(
                "'{}' takes at least one argument",
                bits[0]
            )));
        }
        let message = self.compile_filter(&bits[1])?;
        let mut remaining: Vec<String> = bits[2..].to_vec();
        let mut noop = false;
        let mut asvar = None;
        let mut context = None;
        let mut seen: Vec<String> = Vec::new();
        while !remaining.is_empty() {
            let option = remaining.remove(0);
            if seen.contains(&option) {
                return Err(Error::syntax(format!(
                    "The '{option}' option was specified more than once."
                )));
            }
            match option.as_str() {
                "noop" => noop = true,
                "context" => {
                    if remaining.is_empty() {
                        return Err(Error::syntax(format!(
                            "No argument provided to the '{}' tag for the context option.",
                            bits[0]
                        )));
                    }
                    let value = remaining.remove(0);
                    if value == "as" || value == "noop" {
                        return Err(Error::syntax(format!(
                            "Invalid argument '{value}' provided to the '{}' tag for the context option",
                            bits[0]
                        )));
                    }
                    context = Some(self.compile_filter(&value)?);
                }
                "as" => {
                    if remaining.is_empty() {
                        return Err(Error::syntax(format!(
                            "No argument provided to the '{}' tag for the as option.",
                            bits[0]
                        )));
                    }
                    asvar = Some(Arc::from(remaining.remove(0).as_str()));
                }
                _ => {
                    return Err(Error::syntax(format!(
                        "Unknown argument for '{}' tag: '{option}'. The only options available are 'noop', 'context' \"xxx\", and 'as VAR'.",
                        bits[0]
                    )))
                }
            }
            seen.push(option);
        }
        Ok(NodeKind::Translate(Box::new(TranslateNode {
            message,
            noop,
            context,
            asvar,
        })))
    }

    pub(super) fn parse_blocktranslate(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        let tag = bits[0].clone();
        let tag_repr = python_str_repr(&tag);
        let mut remaining: Vec<String> = bits[1..].to_vec();
        let mut seen: Vec<String> = Vec::new();
        let mut with = Vec::new();
        let mut count = None;
        let mut context = None;
        let mut trimmed = false;
        let mut asvar = None;
        while !remaining.is_empty() {
            let option = remaining.remove(0);
            if seen.contains(&option) {
                return Err(Error::syntax(format!(
                    "The {} option was specified more than once.",
                    python_str_repr(&option)
                )));
            }
            match option.as_str() {
                "with" => {
                    with = token_kwargs(self, &mut remaining, true)?;
                    if with.is_empty() {
                        return Err(Error::syntax(format!(
                            "\"with\" in {tag_repr} tag needs at least one keyword argument."
                        )));
                    }
                }
                "count" => {
                    let mut value = token_kwargs(self, &mut remaining, true)?;
                    if value.len() != 1 {
                        return Err(Error::syntax(format!(
                            "\"count\" in {tag_repr} tag expected exactly one keyword argument."
                        )));
                    }
                    count = value.pop();
                }
                "context" => {
                    if remaining.is_empty() {
                        return Err(Error::syntax(format!(
                            "\"context\" in {tag_repr} tag expected exactly one argument."
                        )));
                    }
                    let value = remaining.remove(0);
                    context = Some(self.compile_filter(&value).map_err(|_| {
                        Error::syntax(format!(
                            "\"context\" in {tag_repr} tag expected exactly one argument."
                        ))
                    })?);
                }
                "trimmed" => trimmed = true,
                "asvar" => {
                    if remaining.is_empty() {
                        return Err(Error::syntax(format!(
                            "No argument provided to the '{tag}' tag for the asvar option."
                        )));
                    }
                    asvar = Some(Arc::from(remaining.remove(0).as_str()));
                }
                _ => {
                    return Err(Error::syntax(format!(
                        "Unknown argument for {tag_repr} tag: {}.",
                        python_str_repr(&option)
                    )))
                }
            }
            seen.push(option);
        }
        let (singular, mut last) = self.bt_parts();
        let mut plural = Vec::new();
        if count.is_some() {
            if last.map(|t| t.contents.trim_matches(is_py_space)) != Some("plural") {
                return Err(Error::syntax(format!(
                    "{tag_repr} doesn't allow other block tags inside it"
                )));
            }
            let (p, l) = self.bt_parts();
            plural = p;
            last = l;
        }
        let end = format!("end{tag}");
        let last_contents = last
            .map(|t| t.contents.trim_matches(is_py_space))
            .unwrap_or("");
        if last_contents != end {
            return Err(Error::syntax(format!(
                "{tag_repr} doesn't allow other block tags (seen {}) inside it",
                python_str_repr(last_contents)
            )));
        }
        Ok(NodeKind::BlockTranslate(Box::new(BlockTranslateNode {
            tag_name: Arc::from(tag.as_str()),
            with,
            count,
            context,
            trimmed,
            asvar,
            singular,
            plural,
        })))
    }

    /// Text and `{{ var }}` tokens up to the next block tag (returned).
    fn bt_parts(&mut self) -> (Vec<BtPart>, Option<Token<'s>>) {
        let mut parts = Vec::new();
        let mut last = None;
        while let Some(t) = self.next_token() {
            match t.kind {
                TokenKind::Text => parts.push(BtPart::Text(Arc::from(t.contents))),
                TokenKind::Var => parts.push(BtPart::Var(Arc::from(t.contents))),
                TokenKind::Comment | TokenKind::Block => {
                    last = Some(t);
                    break;
                }
            }
        }
        (parts, last)
    }
}
