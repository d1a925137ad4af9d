//! Django's `defaulttags` and `loader_tags`.
use std::sync::Arc;

use super::{compile_all, relative_path, take_asvar, token_kwargs};
use crate::ast::{
    BlockNode, CycleDef, ExtendsNode, FilterRef, ForNode, IfChangedNode, IncludeNode, Node,
    NodeKind, RegroupNode, UrlNode,
};
use crate::error::{Error, Result};
use crate::expr::parse_condition;
use crate::lexer::{is_py_space, split_contents};
use crate::parser::Parser;

fn words(contents: &str) -> Vec<&str> {
    contents
        .split(is_py_space)
        .filter(|s| !s.is_empty())
        .collect()
}

impl<'s> Parser<'s> {
    pub(super) fn tag_autoescape(&mut self, contents: &str) -> Result<NodeKind> {
        Ok({
            let args = words(contents);
            if args.len() != 2 {
                return Err(Error::syntax(
                    "'autoescape' tag requires exactly one argument.",
                ));
            }
            if args[1] != "on" && args[1] != "off" {
                return Err(Error::syntax(
                    "'autoescape' argument should be 'on' or 'off'",
                ));
            }
            NodeKind::Autoescape(args[1] == "on", self.body(&["endautoescape"])?)
        })
    }

    pub(super) fn tag_comment(&mut self) -> Result<NodeKind> {
        Ok({
            self.skip_past("endcomment")?;
            NodeKind::Comment
        })
    }

    pub(super) fn tag_resetcycle(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            if bits.len() > 2 {
                return Err(Error::syntax(format!(
                    "{} tag accepts at most one argument.",
                    crate::value::python_str_repr(&bits[0])
                )));
            }
            if bits.len() == 2 {
                match self.named_cycles.get(&bits[1]) {
                    Some(c) => NodeKind::ResetCycle(c.clone()),
                    None => {
                        return Err(Error::syntax(format!(
                            "Named cycle '{}' does not exist.",
                            bits[1]
                        )))
                    }
                }
            } else {
                match &self.last_cycle {
                    Some(c) => NodeKind::ResetCycle(c.clone()),
                    None => return Err(Error::syntax("No cycles in template.")),
                }
            }
        })
    }

    pub(super) fn tag_filter(&mut self, contents: &str) -> Result<NodeKind> {
        Ok({
            let rest = contents
                .trim_start_matches(|c: char| !is_py_space(c))
                .trim_start_matches(is_py_space);
            if rest.is_empty() {
                return Err(Error::syntax(
                    "not enough values to unpack (expected 2, got 1)",
                ));
            }
            let expr = self.compile_filter(&format!("var|{rest}"))?;
            for f in &expr.filters {
                if let FilterRef::Builtin(b) = f.filter {
                    if b.name == "escape" || b.name == "safe" {
                        return Err(Error::syntax(format!(
                            "\"filter {}\" is not permitted.  Use the \"autoescape\" tag instead.",
                            b.name
                        )));
                    }
                }
            }
            NodeKind::Filter(expr, self.body(&["endfilter"])?)
        })
    }

    pub(super) fn tag_firstof(&mut self, mut bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            bits.remove(0);
            if bits.is_empty() {
                return Err(Error::syntax(
                    "'firstof' statement requires at least one argument",
                ));
            }
            let asvar = take_asvar(&mut bits, 2);
            NodeKind::Firstof(compile_all(self, &bits)?, asvar)
        })
    }

    pub(super) fn tag_ifchanged(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            let body = self.parse(&["else", "endifchanged"])?;
            let end = self.end_tag();
            let otherwise = if end.is_some_and(|t| t.contents == "else") {
                self.body(&["endifchanged"])?
            } else {
                Vec::new()
            };
            NodeKind::IfChanged(Box::new(IfChangedNode {
                vars: compile_all(self, &bits[1..])?,
                body,
                otherwise,
            }))
        })
    }

    pub(super) fn tag_load(&mut self, contents: &str) -> Result<NodeKind> {
        Ok({
            let w = words(contents);
            if w.len() >= 4 && w[w.len() - 2] == "from" {
                let only: Vec<String> = w[1..w.len() - 2].iter().map(|s| (*s).to_owned()).collect();
                self.load_library(w[w.len() - 1], Some(&only))?;
            } else {
                for lib in &w[1..] {
                    self.load_library(lib, None)?;
                }
            }
            NodeKind::Load
        })
    }

    pub(super) fn tag_lorem(&mut self, mut bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            let tagname = bits[0].clone();
            let common = bits.last().is_none_or(|b| b != "random");
            if !common {
                bits.pop();
            }
            let method = match bits.last().map(String::as_str) {
                Some(m @ ("w" | "p" | "b")) if bits.len() > 1 || m != tagname => {
                    let c = m.chars().next().unwrap_or('b');
                    bits.pop();
                    c
                }
                _ => 'b',
            };
            let count = if bits.len() > 1 {
                bits.pop().unwrap_or_default()
            } else {
                "1".to_owned()
            };
            let count = self.compile_filter(&count)?;
            if bits.len() != 1 {
                return Err(Error::syntax(format!(
                    "Incorrect format for {} tag",
                    crate::value::python_str_repr(&tagname)
                )));
            }
            NodeKind::Lorem {
                count,
                method,
                common,
            }
        })
    }

    pub(super) fn tag_now(&mut self, mut bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            let asvar = if bits.len() == 4 && bits[2] == "as" {
                let v = bits.pop().map(Arc::from);
                bits.pop();
                v
            } else {
                None
            };
            if bits.len() != 2 {
                return Err(Error::syntax("'now' statement takes one argument"));
            }
            let f = &bits[1];
            let inner: String = {
                let chars: Vec<char> = f.chars().collect();
                if chars.len() >= 2 {
                    chars[1..chars.len() - 1].iter().collect()
                } else {
                    String::new()
                }
            };
            NodeKind::Now(Arc::from(inner), asvar)
        })
    }

    pub(super) fn tag_regroup(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            if bits.len() != 6 {
                return Err(Error::syntax("'regroup' tag takes five arguments"));
            }
            let target = self.compile_filter(&bits[1])?;
            if bits[2] != "by" {
                return Err(Error::syntax(
                    "second argument to 'regroup' tag must be 'by'",
                ));
            }
            if bits[4] != "as" {
                return Err(Error::syntax(
                    "next-to-last argument to 'regroup' tag must be 'as'",
                ));
            }
            let expr = self.compile_filter(&format!("{}.{}", bits[5], bits[3]))?;
            NodeKind::Regroup(Box::new(RegroupNode {
                target,
                expr,
                var: Arc::from(bits[5].as_str()),
            }))
        })
    }

    pub(super) fn tag_templatetag(&mut self, contents: &str) -> Result<NodeKind> {
        Ok({
            let w = words(contents);
            if w.len() != 2 {
                return Err(Error::syntax("'templatetag' statement takes one argument"));
            }
            let lit = match w[1] {
                "openblock" => "{%",
                "closeblock" => "%}",
                "openvariable" => "{{",
                "closevariable" => "}}",
                "openbrace" => "{",
                "closebrace" => "}",
                "opencomment" => "{#",
                "closecomment" => "#}",
                other => {
                    return Err(Error::syntax(format!(
                        "Invalid templatetag argument: '{other}'. Must be one of: ['openblock', 'closeblock', 'openvariable', 'closevariable', 'openbrace', 'closebrace', 'opencomment', 'closecomment']"
                    )))
                }
            };
            NodeKind::TemplateTag(lit)
        })
    }

    pub(super) fn tag_url(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            if bits.len() < 2 {
                return Err(Error::syntax(format!(
                    "'{}' takes at least one argument, a URL pattern name.",
                    bits[0]
                )));
            }
            let view = self.compile_filter(&bits[1])?;
            let mut rest: Vec<String> = bits[2..].to_vec();
            let asvar = take_asvar(&mut rest, 2);
            let mut args = Vec::new();
            let mut kwargs = Vec::new();
            for bit in &rest {
                match super::kwarg_split(bit) {
                    None => return Err(Error::syntax("Malformed arguments to url tag")),
                    Some((Some(k), v)) => {
                        let expr = self.compile_filter(v)?;
                        if let Some(slot) = kwargs
                            .iter_mut()
                            .find(|(n, _): &&mut (Arc<str>, _)| &**n == k)
                        {
                            slot.1 = expr;
                        } else {
                            kwargs.push((Arc::from(k), expr));
                        }
                    }
                    Some((None, v)) => args.push(self.compile_filter(v)?),
                }
            }
            NodeKind::Url(Box::new(UrlNode {
                view,
                args,
                kwargs,
                asvar,
            }))
        })
    }

    pub(super) fn tag_verbatim(&mut self) -> Result<NodeKind> {
        Ok({
            let nodes = self.body(&["endverbatim"])?;
            let mut text = String::new();
            for n in nodes {
                if let NodeKind::Text(t) = n.node {
                    text.push_str(&t);
                }
            }
            NodeKind::Verbatim(Arc::from(text))
        })
    }

    pub(super) fn tag_widthratio(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            let asvar = match bits.len() {
                4 => None,
                6 => {
                    if bits[4] != "as" {
                        return Err(Error::syntax(
                            "Invalid syntax in widthratio tag. Expecting 'as' keyword",
                        ));
                    }
                    Some(Arc::from(bits[5].as_str()))
                }
                _ => return Err(Error::syntax("widthratio takes at least three arguments")),
            };
            NodeKind::WidthRatio(
                Box::new([
                    self.compile_filter(&bits[1])?,
                    self.compile_filter(&bits[2])?,
                    self.compile_filter(&bits[3])?,
                ]),
                asvar,
            )
        })
    }

    pub(super) fn tag_with(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            let mut rest = bits[1..].to_vec();
            let kwargs = token_kwargs(self, &mut rest, true)?;
            let tag = crate::value::python_str_repr(&bits[0]);
            if kwargs.is_empty() {
                return Err(Error::syntax(format!(
                    "{tag} expected at least one variable assignment"
                )));
            }
            if let Some(first) = rest.first() {
                return Err(Error::syntax(format!(
                    "{tag} received an invalid token: {}",
                    crate::value::python_str_repr(first)
                )));
            }
            NodeKind::With(kwargs, self.body(&["endwith"])?)
        })
    }

    pub(super) fn tag_extends(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        Ok({
            if bits.len() != 2 {
                return Err(Error::syntax(format!("'{}' takes one argument", bits[0])));
            }
            let parent_name = relative_path(self.name.as_deref(), &bits[1])?;
            let parent = self.compile_filter(&parent_name)?;
            let body = self.parse(&[])?;
            if contains_extends(&body) {
                return Err(Error::syntax(format!(
                    "'{}' cannot appear more than once in the same template",
                    bits[0]
                )));
            }
            NodeKind::Extends(Box::new(ExtendsNode { parent, body }))
        })
    }

    pub(super) fn parse_cycle(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        let mut args = bits;
        if args.len() < 2 {
            return Err(Error::syntax("'cycle' tag requires at least two arguments"));
        }
        if args.len() == 2 {
            let name = &args[1];
            if self.named_cycles.is_empty() {
                return Err(Error::syntax(format!(
                    "No named cycles in template. '{name}' is not defined"
                )));
            }
            return match self.named_cycles.get(name) {
                Some(c) => Ok(NodeKind::Cycle(c.clone())),
                None => Err(Error::syntax(format!(
                    "Named cycle '{name}' does not exist"
                ))),
            };
        }
        let mut as_form = false;
        let mut silent = false;
        let n = args.len();
        if n > 4 {
            if args[n - 3] == "as" {
                if args[n - 1] != "silent" {
                    return Err(Error::syntax(format!(
                        "Only 'silent' flag is allowed after cycle's name, not '{}'.",
                        args[n - 1]
                    )));
                }
                as_form = true;
                silent = true;
                args.pop();
            } else if args[n - 2] == "as" {
                as_form = true;
            }
        }
        let def = if as_form {
            let n = args.len();
            let name = args[n - 1].clone();
            let def = Arc::new(CycleDef {
                values: compile_all(self, &args[1..n - 2])?,
                name: Some(Arc::from(name.as_str())),
                silent,
            });
            self.named_cycles.insert(name, def.clone());
            def
        } else {
            Arc::new(CycleDef {
                values: compile_all(self, &args[1..])?,
                name: None,
                silent: false,
            })
        };
        self.last_cycle = Some(def.clone());
        Ok(NodeKind::Cycle(def))
    }

    pub(super) fn parse_for(&mut self, contents: &str, bits: Vec<String>) -> Result<NodeKind> {
        if bits.len() < 4 {
            return Err(Error::syntax(format!(
                "'for' statements should have at least four words: {contents}"
            )));
        }
        let reversed = bits.last().is_some_and(|b| b == "reversed");
        let in_index = bits.len() - if reversed { 3 } else { 2 };
        if bits[in_index] != "in" {
            return Err(Error::syntax(format!(
                "'for' statements should use the format 'for x in y': {contents}"
            )));
        }
        let joined = bits[1..in_index].join(" ");
        let mut targets = Vec::new();
        for var in split_loopvars(&joined) {
            if var.is_empty() || var.contains([' ', '"', '\'', '|']) {
                return Err(Error::syntax(format!(
                    "'for' tag received an invalid argument: {contents}"
                )));
            }
            targets.push(Arc::from(var));
        }
        let iter = self.compile_filter(&bits[in_index + 1])?;
        let body = self.parse(&["empty", "endfor"])?;
        let end = self.end_tag();
        let empty = if end.is_some_and(|t| t.contents == "empty") {
            self.body(&["endfor"])?
        } else {
            Vec::new()
        };
        Ok(NodeKind::For(Box::new(ForNode {
            targets,
            iter,
            reversed,
            body,
            empty,
        })))
    }

    pub(super) fn parse_if(&mut self, bits: Vec<String>) -> Result<NodeKind> {
        let mut branches = Vec::new();
        let cond = parse_condition(self, &bits[1..])?;
        let body = self.parse(&["elif", "else", "endif"])?;
        branches.push((Some(cond), body));
        let mut token = self.end_tag();
        while let Some(t) = token.filter(|t| t.contents.starts_with("elif")) {
            let bits = split_contents(t.contents);
            let cond = parse_condition(self, &bits[1..]).map_err(|e| self.error_at(t.span, e))?;
            let body = self.parse(&["elif", "else", "endif"])?;
            branches.push((Some(cond), body));
            token = self.end_tag();
        }
        if let Some(t) = token.filter(|t| t.contents == "else") {
            let _ = t;
            branches.push((None, self.parse(&["endif"])?));
            token = self.end_tag();
        }
        match token {
            Some(t) if t.contents == "endif" => Ok(NodeKind::If(branches)),
            Some(t) => Err(self.error_at(
                t.span,
                Error::syntax(format!(
                    "Malformed template tag at line {}: \"{}\"",
                    t.span.line, t.contents
                )),
            )),
            None => Err(Error::syntax("Unexpected end of template in if tag.")),
        }
    }

    pub(super) fn parse_block(&mut self, contents: &str) -> Result<NodeKind> {
        let w = words(contents);
        if w.len() != 2 {
            return Err(Error::syntax(format!(
                "'{}' tag takes only one argument",
                w[0]
            )));
        }
        let name = w[1].to_owned();
        if self.blocks_seen.contains(&name) {
            return Err(Error::syntax(format!(
                "'{}' tag with name '{name}' appears more than once",
                w[0]
            )));
        }
        self.blocks_seen.push(name.clone());
        let body = self.parse(&["endblock"])?;
        let end = self.end_tag();
        if let Some(end) = end {
            if end.contents != "endblock" && end.contents != format!("endblock {name}") {
                let until = ["endblock".to_owned(), format!("endblock {name}")];
                let quoted: Vec<String> = until.iter().map(|u| format!("'{u}'")).collect();
                return Err(self.error_at(
                    end.span,
                    Error::syntax(format!(
                        "Invalid block tag on line {}: 'endblock', expected {}. Did you forget to register or load this tag?",
                        end.span.line,
                        crate::parser::text_list(&quoted, "or")
                    )),
                ));
            }
        }
        Ok(NodeKind::Block(Arc::new(BlockNode {
            name: Arc::from(name),
            body,
        })))
    }

    pub(super) fn parse_include(&mut self, mut bits: Vec<String>) -> Result<NodeKind> {
        let tag = crate::value::python_str_repr(&bits[0]);
        if bits.len() < 2 {
            return Err(Error::syntax(format!(
                "{tag} tag takes at least one argument: the name of the template to be included."
            )));
        }
        let mut remaining: Vec<String> = bits.split_off(2);
        let mut with = None;
        let mut only = false;
        let mut seen: Vec<String> = Vec::new();
        while !remaining.is_empty() {
            let option = remaining.remove(0);
            if seen.contains(&option) {
                return Err(Error::syntax(format!(
                    "The {} option was specified more than once.",
                    crate::value::python_str_repr(&option)
                )));
            }
            match option.as_str() {
                "with" => {
                    let kw = token_kwargs(self, &mut remaining, false)?;
                    if kw.is_empty() {
                        return Err(Error::syntax(format!(
                            "\"with\" in {tag} tag needs at least one keyword argument."
                        )));
                    }
                    with = Some(kw);
                }
                "only" => only = true,
                _ => {
                    return Err(Error::syntax(format!(
                        "Unknown argument for {tag} tag: {}.",
                        crate::value::python_str_repr(&option)
                    )))
                }
            }
            seen.push(option);
        }
        let name = relative_path(self.name.as_deref(), &bits[1])?;
        Ok(NodeKind::Include(Box::new(IncludeNode {
            template: self.compile_filter(&name)?,
            with: with.unwrap_or_default(),
            only,
        })))
    }
}

/// `re.split(r" *, *", text)`.
fn split_loopvars(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b',' {
            let mut s = i;
            while s > start && bytes[s - 1] == b' ' {
                s -= 1;
            }
            let mut e = i + 1;
            while e < bytes.len() && bytes[e] == b' ' {
                e += 1;
            }
            out.push(&text[start..s]);
            start = e;
            i = e;
            continue;
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// Whether any node (at any depth) is an `extends`.
fn contains_extends(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| match &n.node {
        NodeKind::Extends(_) => true,
        other => crate::render::children(other)
            .iter()
            .any(|c| contains_extends(c)),
    })
}
