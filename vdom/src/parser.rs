//! Tokens → AST, as Django's `Parser`: the node-list loop, filter
//! expressions (Django's `filter_re` grammar, by hand), and the state tags
//! share (loaded libraries, named cycles, seen blocks).
use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{
    CycleDef, FilterCall, FilterExpr, FilterRef, Node, NodeKind, Operand, OperandKind, Spanned,
};
use crate::env::{CustomTag, EnvInner, Library};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::filters::{self, Arity};
use crate::lexer::{tokenize, Token, TokenKind};
use crate::value::Value;

/// How deeply block tags may nest before parsing stops with an error.
pub const MAX_NESTING: usize = 128;

/// How much stack one parse or render may use before it stops with an
/// error (frames are much larger in debug builds than in release ones, so
/// this, not the depth limits, is what binds there).
pub(crate) const STACK_BUDGET: usize = 1 << 20;

/// The address of a local: where the stack is now.
#[inline(never)]
pub(crate) fn stack_position() -> usize {
    let here = 0u8;
    std::hint::black_box(&here) as *const u8 as usize
}

/// Stack used since `base` (stacks grow down on every supported target;
/// an upward stack reads as 0 and only the depth limits apply).
pub(crate) fn stack_used(base: usize) -> usize {
    base.saturating_sub(stack_position())
}

/// Parse a whole template.
pub(crate) fn parse(
    env: &EnvInner,
    name: Option<Arc<str>>,
    source: &str,
) -> Result<crate::ast::Template> {
    let mut parser = Parser::new(env, name.clone(), source);
    let nodes = parser.parse(&[])?;
    Ok(crate::ast::Template { name, nodes })
}

/// What a tag name resolves to while parsing.
#[derive(Clone)]
pub(crate) enum TagDef {
    /// A tag implemented here (built-in or from a built-in library).
    Native(&'static str),
    /// A host tag.
    Custom(Arc<dyn CustomTag>),
    /// A tag this engine cannot run.
    Unsupported,
}

/// Tags every template has (Django's `defaulttags` and `loader_tags`).
const DEFAULT_TAGS: &[&str] = &[
    "autoescape",
    "block",
    "comment",
    "csrf_token",
    "cycle",
    "debug",
    "extends",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "include",
    "load",
    "lorem",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "url",
    "verbatim",
    "widthratio",
    "with",
];

/// The tags and filters of the libraries implemented here.
pub(crate) fn native_library(
    name: &str,
) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match name {
        "static" => (
            &["static", "get_static_prefix", "get_media_prefix"][..],
            &[][..],
        ),
        "i18n" => (
            &[
                "get_available_languages",
                "get_language_info",
                "get_language_info_list",
                "get_current_language",
                "get_current_language_bidi",
                "trans",
                "translate",
                "blocktrans",
                "blocktranslate",
                "language",
            ][..],
            &[
                "language_name",
                "language_name_translated",
                "language_name_local",
                "language_bidi",
            ][..],
        ),
        "l10n" => (&["localize"][..], &["localize", "unlocalize"][..]),
        "tz" => (
            &["localtime", "timezone", "get_current_timezone"][..],
            &["localtime", "utc", "timezone"][..],
        ),
        _ => return None,
    })
}

/// The parser's state.
pub(crate) struct Parser<'s> {
    pub(crate) env: &'s EnvInner,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) source: &'s str,
    tokens: Vec<Token<'s>>,
    pos: usize,
    tags: HashMap<String, TagDef>,
    filters: HashMap<String, FilterRef>,
    pub(crate) named_cycles: HashMap<String, Arc<CycleDef>>,
    pub(crate) last_cycle: Option<Arc<CycleDef>>,
    pub(crate) blocks_seen: Vec<String>,
    command_stack: Vec<(String, Token<'s>)>,
    depth: usize,
    stack_base: usize,
}

impl<'s> Parser<'s> {
    pub(crate) fn new(env: &'s EnvInner, name: Option<Arc<str>>, source: &'s str) -> Self {
        let mut parser = Parser {
            env,
            name,
            source,
            tokens: tokenize(source),
            pos: 0,
            tags: HashMap::new(),
            filters: HashMap::new(),
            named_cycles: HashMap::new(),
            last_cycle: None,
            blocks_seen: Vec::new(),
            command_stack: Vec::new(),
            depth: 0,
            stack_base: stack_position(),
        };
        for lib in &env.builtins {
            parser.add_custom_library(lib, None);
        }
        parser
    }

    fn add_custom_library(&mut self, lib: &Library, only: Option<&[String]>) {
        let wanted = |n: &str| only.is_none_or(|names| names.iter().any(|w| w == n));
        for (name, f) in &lib.filters {
            if wanted(name) {
                self.filters
                    .insert(name.clone(), FilterRef::Custom(f.clone()));
            }
        }
        for (name, t) in &lib.tags {
            if wanted(name) {
                self.tags.insert(name.clone(), TagDef::Custom(t.clone()));
            }
        }
        for name in &lib.unsupported_tags {
            if wanted(name) {
                self.tags.insert(name.clone(), TagDef::Unsupported);
            }
        }
    }

    /// `{% load name %}` / `{% load a b from name %}`.
    pub(crate) fn load_library(&mut self, name: &str, only: Option<&[String]>) -> Result<()> {
        let host = self.env.libraries.get(name).cloned();
        let implicit = self.env.options.implicit_libraries;
        let native = native_library(name).filter(|_| implicit || host.is_some());
        if native.is_none() && host.is_none() {
            let mut names: Vec<&str> = self.env.libraries.keys().map(String::as_str).collect();
            if implicit {
                for n in ["i18n", "l10n", "static", "tz"] {
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
            names.sort_unstable();
            return Err(Error::syntax(format!(
                "'{name}' is not a registered tag library. Must be one of:\n{}",
                names.join("\n")
            )));
        }
        if let Some(only) = only {
            for wanted in only {
                let in_native = native.is_some_and(|(t, _)| t.contains(&wanted.as_str()))
                    || filters::library(name)
                        .unwrap_or_default()
                        .iter()
                        .any(|b| b.name == wanted);
                let in_host = host.as_ref().is_some_and(|l| {
                    l.tags.contains_key(wanted)
                        || l.filters.contains_key(wanted)
                        || l.unsupported_tags.contains(wanted)
                });
                if !in_native && !in_host {
                    return Err(Error::syntax(format!(
                        "'{wanted}' is not a valid tag or filter in tag library '{name}'"
                    )));
                }
            }
        }
        let wanted = |n: &str| only.is_none_or(|names| names.iter().any(|w| w == n));
        if let Some(lib) = &host {
            self.add_custom_library(lib, only);
        }
        if let Some((tags, fnames)) = native {
            for t in tags {
                if wanted(t) {
                    self.tags.insert((*t).to_owned(), TagDef::Native(t));
                }
            }
            let _ = fnames;
            for b in filters::library(name).unwrap_or_default() {
                if wanted(b.name) {
                    self.filters
                        .insert(b.name.to_owned(), FilterRef::Builtin(b));
                }
            }
        }
        Ok(())
    }

    /// Attach the token's position to an error (innermost wins).
    pub(crate) fn error_at(&self, span: Span, err: Error) -> Error {
        err.at(self.name.as_ref(), span, Some(self.source))
    }

    /// The next token, consumed.
    pub(crate) fn next_token(&mut self) -> Option<Token<'s>> {
        let t = self.tokens.get(self.pos).copied();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// Parse nodes until a block tag whose command is in `until`; that tag
    /// is left for the caller to consume with [`Parser::next_token`].
    pub(crate) fn parse(&mut self, until: &[&str]) -> Result<Vec<Node>> {
        self.depth += 1;
        let result = if self.depth > MAX_NESTING || stack_used(self.stack_base) > STACK_BUDGET {
            let span = self
                .command_stack
                .last()
                .map(|(_, t)| t.span)
                .unwrap_or_default();
            Err(self.error_at(
                span,
                Error::syntax(format!(
                    "Template nesting is too deep (more than {} levels).",
                    self.depth - 1
                )),
            ))
        } else {
            self.parse_inner(until)
        };
        self.depth -= 1;
        result
    }

    fn parse_inner(&mut self, until: &[&str]) -> Result<Vec<Node>> {
        let mut nodes: Vec<Node> = Vec::new();
        let mut contains_nontext = false;
        while let Some(token) = self.next_token() {
            match token.kind {
                TokenKind::Text => nodes.push(Spanned::new(
                    NodeKind::Text(Arc::from(token.contents)),
                    token.span,
                )),
                TokenKind::Comment => {}
                TokenKind::Var => {
                    nodes.push(self.var_node(token)?);
                    contains_nontext = true;
                }
                TokenKind::Block => {
                    let Some(command) = token
                        .contents
                        .split(crate::lexer::is_py_space)
                        .find(|s| !s.is_empty())
                    else {
                        return Err(self.line_error(token, "Empty block tag on line"));
                    };
                    if until.contains(&command) {
                        self.pos -= 1;
                        return Ok(nodes);
                    }
                    self.command_stack.push((command.to_owned(), token));
                    let node = match self.parse_tag(command, token, until) {
                        Ok(node) => node,
                        Err(e) => return Err(self.error_at(token.span, e)),
                    };
                    if contains_nontext && matches!(node.node, NodeKind::Extends(_)) {
                        return Err(self.extends_not_first(token));
                    }
                    contains_nontext = true;
                    nodes.push(node);
                    self.command_stack.pop();
                }
            }
        }
        if !until.is_empty() {
            return Err(self.unclosed(until));
        }
        Ok(nodes)
    }

    // The helpers below keep formatting out of `parse_inner`, whose frame
    // is on the recursive path.

    fn var_node(&self, token: Token<'s>) -> Result<Node> {
        if token.contents.is_empty() {
            return Err(self.line_error(token, "Empty variable tag on line"));
        }
        let expr = self
            .compile_filter(token.contents)
            .map_err(|e| self.error_at(token.span, e))?;
        Ok(Spanned::new(NodeKind::Var(expr), token.span))
    }

    #[cold]
    fn line_error(&self, token: Token<'s>, what: &str) -> Error {
        self.error_at(
            token.span,
            Error::syntax(format!("{what} {}", token.span.line)),
        )
    }

    #[cold]
    fn extends_not_first(&self, token: Token<'s>) -> Error {
        let origin = match &self.name {
            Some(n) => crate::value::python_str_repr(n),
            None => "the template".to_owned(),
        };
        self.error_at(
            token.span,
            Error::syntax(format!(
                "{{% {} %}} must be the first tag in {origin}.",
                token.contents
            )),
        )
    }

    #[cold]
    fn unclosed(&mut self, until: &[&str]) -> Error {
        let (command, token) = self
            .command_stack
            .pop()
            .map(|(c, t)| (c, Some(t)))
            .unwrap_or_default();
        let err = Error::syntax(format!(
            "Unclosed tag on line {}: '{command}'. Looking for one of: {}.",
            token.map(|t| t.span.line).unwrap_or(0),
            until.join(", ")
        ));
        match token {
            Some(t) => self.error_at(t.span, err),
            None => err,
        }
    }

    fn parse_tag(&mut self, command: &str, token: Token<'s>, until: &[&str]) -> Result<Node> {
        let def = match self.tags.get(command) {
            Some(def) => def.clone(),
            None => match DEFAULT_TAGS.iter().find(|t| **t == command) {
                Some(name) => TagDef::Native(name),
                None => return Err(self.invalid_block_tag(token, command, until)),
            },
        };
        let kind = match def {
            TagDef::Native(name) => self.parse_native(name, token)?,
            TagDef::Custom(tag) => self.parse_custom(command, tag, token)?,
            TagDef::Unsupported => return Err(unsupported(command)),
        };
        Ok(Spanned::new(kind, token.span))
    }

    fn invalid_block_tag(&self, token: Token<'s>, command: &str, until: &[&str]) -> Error {
        let line = token.span.line;
        let msg = if until.is_empty() {
            format!(
                "Invalid block tag on line {line}: '{command}'. Did you forget to register or load this tag?"
            )
        } else {
            let quoted: Vec<String> = until.iter().map(|u| format!("'{u}'")).collect();
            format!(
                "Invalid block tag on line {line}: '{command}', expected {}. Did you forget to register or load this tag?",
                text_list(&quoted, "or")
            )
        };
        Error::syntax(msg)
    }

    /// Consume the end tag `parse(until)` stopped at.
    pub(crate) fn end_tag(&mut self) -> Option<Token<'s>> {
        self.next_token()
    }

    /// Skip tokens up to the block tag whose contents are exactly `end`
    /// (`{% comment %}`).
    pub(crate) fn skip_past(&mut self, end: &str) -> Result<()> {
        while let Some(t) = self.next_token() {
            if t.kind == TokenKind::Block && t.contents == end {
                return Ok(());
            }
        }
        let (command, token) = self.command_stack.pop().unwrap_or_default_token();
        Err(self.error_at(
            token.span,
            Error::syntax(format!(
                "Unclosed tag on line {}: '{command}'. Looking for one of: {end}.",
                token.span.line
            )),
        ))
    }

    /// Django's `FilterExpression(token, parser)`.
    pub(crate) fn compile_filter(&self, token: &str) -> Result<FilterExpr> {
        let mut upto = 0;
        let mut head: Option<Operand> = None;
        let mut filters = Vec::new();
        while let Some(m) = next_match(token, upto) {
            if m.start != upto {
                return Err(Error::syntax(format!(
                    "Could not parse some characters: {}|{}|{}",
                    &token[..upto],
                    &token[upto..m.start],
                    &token[m.start..]
                )));
            }
            match (&head, m.what) {
                (None, Match::Constant(c)) => head = Some(variable(c)?),
                (None, Match::Var(v)) => head = Some(variable(v)?),
                (None, Match::Filter { .. }) => {
                    return Err(Error::syntax(format!(
                        "Could not find variable at start of {token}."
                    )))
                }
                (Some(_), Match::Filter { name, arg }) => {
                    let filter = self.find_filter(name)?;
                    let arg = match arg {
                        Some(a) => Some(variable(a)?),
                        None => None,
                    };
                    args_check(name, &filter, arg.is_some())?;
                    filters.push(FilterCall {
                        name: Arc::from(name),
                        filter,
                        arg,
                    });
                }
                // Anchored alternatives only match at the start.
                (Some(_), _) => break,
            }
            upto = m.end;
        }
        if upto != token.len() {
            return Err(Error::syntax(format!(
                "Could not parse the remainder: '{}' from '{token}'",
                &token[upto..]
            )));
        }
        let Some(head) = head else {
            // An empty token: Django's expression has no variable: `None`.
            return Ok(FilterExpr {
                token: Arc::from(token),
                head: Operand {
                    kind: OperandKind::Literal(Value::None),
                    translate: false,
                    text: Arc::from(""),
                },
                filters,
            });
        };
        Ok(FilterExpr {
            token: Arc::from(token),
            head,
            filters,
        })
    }

    fn find_filter(&self, name: &str) -> Result<FilterRef> {
        if let Some(f) = self.filters.get(name) {
            return Ok(f.clone());
        }
        match filters::builtin(name) {
            Some(b) => Ok(FilterRef::Builtin(b)),
            None => Err(Error::syntax(format!("Invalid filter: '{name}'"))),
        }
    }
}

#[cold]
fn unsupported(command: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("The tag '{command}' is not supported by the djust engine."),
    )
}

trait PopToken<'s> {
    fn unwrap_or_default_token(self) -> (String, Token<'s>);
}

impl<'s> PopToken<'s> for Option<(String, Token<'s>)> {
    fn unwrap_or_default_token(self) -> (String, Token<'s>) {
        self.unwrap_or_else(|| {
            (
                String::new(),
                Token {
                    kind: TokenKind::Block,
                    contents: "",
                    span: Span::default(),
                },
            )
        })
    }
}

/// Django's `get_text_list(items, last)`: `'a', 'b' or 'c'`.
pub(crate) fn text_list(items: &[String], last: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} {last} {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// Django's `FilterExpression.args_check`, from the filter's arity.
fn args_check(name: &str, filter: &FilterRef, has_arg: bool) -> Result<()> {
    let (arity, autoescape) = match filter {
        FilterRef::Builtin(b) => (b.arity, b.needs_autoescape),
        FilterRef::Custom(c) => (c.arity(), c.needs_autoescape()),
    };
    let (required, max) = match arity {
        Arity::None => (1, if autoescape { 2 } else { 1 }),
        Arity::Optional => (1, 2),
        Arity::Required => (2, 2),
    };
    let provided = 1 + usize::from(has_arg);
    if provided < required || provided > max {
        return Err(Error::syntax(format!(
            "{name} requires {required} arguments, {provided} provided"
        )));
    }
    Ok(())
}

enum Match<'t> {
    Constant(&'t str),
    Var(&'t str),
    Filter { name: &'t str, arg: Option<&'t str> },
}

struct Found<'t> {
    start: usize,
    end: usize,
    what: Match<'t>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The leftmost match of Django's `filter_re` at or after `from`.
fn next_match(token: &str, from: usize) -> Option<Found<'_>> {
    if from == 0 {
        if let Some(end) = match_constant(token, 0) {
            return Some(Found {
                start: 0,
                end,
                what: Match::Constant(&token[..end]),
            });
        }
        if let Some(end) = match_var(token, 0) {
            return Some(Found {
                start: 0,
                end,
                what: Match::Var(&token[..end]),
            });
        }
    }
    let mut start = from;
    while start <= token.len() {
        if token.is_char_boundary(start) {
            if let Some(found) = match_filter(token, start) {
                return Some(found);
            }
        }
        start += 1;
    }
    None
}

fn skip_space(token: &str, mut i: usize) -> usize {
    while let Some(c) = token[i..].chars().next() {
        if !crate::lexer::is_py_space(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

fn match_filter(token: &str, start: usize) -> Option<Found<'_>> {
    let mut i = skip_space(token, start);
    if !token[i..].starts_with('|') {
        return None;
    }
    i = skip_space(token, i + 1);
    let name_start = i;
    while let Some(c) = token[i..].chars().next() {
        if !is_word(c) {
            break;
        }
        i += c.len_utf8();
    }
    if i == name_start {
        return None;
    }
    let name = &token[name_start..i];
    let mut arg = None;
    if token[i..].starts_with(':') {
        let a = i + 1;
        if let Some(end) = match_constant(token, a).or_else(|| match_var(token, a)) {
            arg = Some(&token[a..end]);
            i = end;
        }
    }
    Some(Found {
        start,
        end: i,
        what: Match::Filter { name, arg },
    })
}

/// `[\w.]+|num` at `i`; returns the end.
fn match_var(token: &str, i: usize) -> Option<usize> {
    let mut j = i;
    while let Some(c) = token[j..].chars().next() {
        if !(is_word(c) || c == '.') {
            break;
        }
        j += c.len_utf8();
    }
    if j > i {
        return Some(j);
    }
    // num = [-+\.]?\d[\d\.e]*
    let mut j = i;
    if token[j..].starts_with(['-', '+', '.']) {
        j += 1;
    }
    let c = token[j..].chars().next()?;
    if !c.is_numeric() || !c.is_alphanumeric() {
        return None;
    }
    j += c.len_utf8();
    while let Some(c) = token[j..].chars().next() {
        if !(c == '.' || c == 'e' || (c.is_numeric() && c.is_alphanumeric())) {
            break;
        }
        j += c.len_utf8();
    }
    Some(j)
}

/// A quoted string, optionally inside `_( )`; returns the end.
fn match_constant(token: &str, i: usize) -> Option<usize> {
    let rest = &token[i..];
    if let Some(inner) = rest.strip_prefix("_(") {
        if let Some(len) = match_quoted(inner) {
            if inner[len..].starts_with(')') {
                return Some(i + 2 + len + 1);
            }
        }
    }
    match_quoted(rest).map(|len| i + len)
}

/// `"[^"\\]*(?:\\.[^"\\]*)*"` (or single-quoted); returns the length.
fn match_quoted(s: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    let (_, q) = chars.next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    while let Some((k, c)) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some((_, '\n')) | None => return None,
                Some(_) => continue,
            }
        }
        if c == q {
            return Some(k + 1);
        }
    }
    None
}

/// Django's `Variable(var)`: a number, a (translated) string literal, or a
/// dotted path.
pub(crate) fn variable(var: &str) -> Result<Operand> {
    let text: Arc<str> = Arc::from(var);
    if let Some(n) = python_number(var) {
        return Ok(Operand {
            kind: OperandKind::Literal(n),
            translate: false,
            text,
        });
    }
    let (inner, translate) = match var.strip_prefix("_(").and_then(|v| v.strip_suffix(')')) {
        Some(inner) => (inner, true),
        None => (var, false),
    };
    if let Some(lit) = unescape_string_literal(inner) {
        return Ok(Operand {
            kind: OperandKind::Literal(Value::SafeStr(Arc::from(lit))),
            translate,
            text,
        });
    }
    if inner.contains("._") || inner.starts_with('_') {
        return Err(Error::syntax(format!(
            "Variables and attributes may not begin with underscores: '{inner}'"
        )));
    }
    Ok(Operand {
        kind: OperandKind::Path(inner.split('.').map(Arc::from).collect()),
        translate,
        text,
    })
}

/// Django's `unescape_string_literal`, `None` when not a quoted string.
pub(crate) fn unescape_string_literal(s: &str) -> Option<String> {
    let q = s.chars().next()?;
    if (q != '"' && q != '\'') || s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    Some(
        inner
            .replace(&format!("\\{q}"), &q.to_string())
            .replace("\\\\", "\\"),
    )
}

/// Python's `int(s)` or, when `s` has `.` or `e`, `float(s)` (rejecting a
/// trailing `.` as Django does).
fn python_number(s: &str) -> Option<Value> {
    if s.contains('.') || s.to_ascii_lowercase().contains('e') {
        if s.ends_with('.') {
            return None;
        }
        let cleaned = strip_underscores(s)?;
        if cleaned
            .chars()
            .any(|c| c.is_alphabetic() && c != 'e' && c != 'E')
        {
            // `inf`/`nan` forms contain no `.`; anything else is not a float.
            return None;
        }
        return cleaned.parse::<f64>().ok().map(Value::Float);
    }
    let cleaned = strip_underscores(s)?;
    let digits = cleaned.strip_prefix(['+', '-']).unwrap_or(&cleaned);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match cleaned.parse::<i64>() {
        Ok(i) => Some(Value::Int(i)),
        Err(_) => cleaned.parse::<f64>().ok().map(Value::Float),
    }
}

/// Remove Python's digit-group underscores (only between digits).
fn strip_underscores(s: &str) -> Option<String> {
    if !s.contains('_') {
        return Some(s.to_owned());
    }
    let b = s.as_bytes();
    for (i, c) in b.iter().enumerate() {
        if *c == b'_'
            && (i == 0
                || i + 1 == b.len()
                || !b[i - 1].is_ascii_digit()
                || !b[i + 1].is_ascii_digit())
        {
            return None;
        }
    }
    Some(s.replace('_', ""))
}
