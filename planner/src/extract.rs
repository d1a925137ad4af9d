//! Access extraction from vdom's AST: which attribute paths a template
//! (with its includes and parents) reads from each context name.
//!
//! A narrow visitor in the spirit of minijinja's `meta.rs`: it knows the
//! nodes that bind names (`for`, `with`, `include … with`, `regroup`,
//! `firstof … as`, `cycle … as`) and the nodes that change which tree is
//! rendered (`extends`/`block`, `include`); every other node's expressions
//! are values. Filters that pass objects through (`first`, `last`, `slice`,
//! `dictsort`, `default`) keep the path; `length` marks it; any other filter
//! consumes the value.
use std::collections::HashMap;
use std::sync::Arc;

use djust_vdom::ast::{BlockNode, Cond, FilterExpr, Node, NodeKind, Operand, OperandKind};
use djust_vdom::{Environment, Template};

use crate::access::{AccessNode, Accesses, Origin};

/// Errors extracting accesses.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// A template could not be loaded or parsed.
    #[error("{0}")]
    Template(#[from] djust_vdom::Error),
    /// `include`/`extends` with a name only known at render time.
    #[error("{0} with a non-literal template name cannot be planned")]
    DynamicName(&'static str),
    /// Includes nested deeper than the engine allows.
    #[error("includes nest deeper than {0} levels")]
    TooDeep(usize),
}

/// What a template reads, and the fingerprint of every source it used.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// Access trees by context name.
    pub accesses: Accesses,
    /// FNV-1a hash of every template's name and source (root, includes, parents).
    pub fingerprint: u64,
    /// The template names visited, root first.
    pub templates: Vec<String>,
}

/// Extract the accesses of `template`, loading includes and parents from `env`.
pub fn extract(env: &Environment, template: &Template) -> Result<Extraction, ExtractError> {
    let mut walker = Walker {
        env,
        accesses: Accesses::default(),
        hash: FNV_OFFSET,
        templates: Vec::new(),
        origin: None,
        current: Arc::from(template.name().unwrap_or("<string>")),
        depth: 0,
        max_depth: env.options().max_include_depth,
        isolated: false,
    };
    walker.record(template);
    let mut scopes = vec![HashMap::new()];
    walker.nodes(&template.ast().nodes, &mut scopes, &Blocks::new())?;
    Ok(Extraction {
        accesses: walker.accesses,
        fingerprint: walker.hash,
        templates: walker.templates,
    })
}

/// Segment meaning "each element of this collection".
pub const EACH: &str = "[]";

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// What a template name is bound to.
#[derive(Debug, Clone)]
enum Bound {
    /// A path from a context name.
    Ref { root: Arc<str>, path: Vec<Arc<str>> },
    /// The list `regroup` made of `items` grouped by `key`.
    Groups {
        items: Box<Bound>,
        key: Vec<Arc<str>>,
    },
    /// One group (`.grouper`, `.list`).
    Group {
        items: Box<Bound>,
        key: Vec<Arc<str>>,
    },
    /// A value the planner cannot follow (a number, a string, a loop counter).
    Opaque,
}

type Scope = HashMap<Arc<str>, Bound>;
/// Block overrides by name, most derived first.
type Blocks = HashMap<Arc<str>, Vec<Arc<BlockNode>>>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Render,
    Iterate,
    Length,
    Truth,
    Access,
}

struct Walker<'e> {
    env: &'e Environment,
    accesses: Accesses,
    hash: u64,
    templates: Vec<String>,
    origin: Option<Origin>,
    current: Arc<str>,
    depth: usize,
    max_depth: usize,
    /// Inside `include … only`: names not bound by the include are undefined.
    isolated: bool,
}

fn each(bound: &Bound) -> Bound {
    match bound {
        Bound::Ref { root, path } => {
            let mut path = path.clone();
            path.push(Arc::from(EACH));
            Bound::Ref {
                root: root.clone(),
                path,
            }
        }
        Bound::Groups { items, key } => Bound::Group {
            items: items.clone(),
            key: key.clone(),
        },
        Bound::Group { items, .. } => each(items),
        Bound::Opaque => Bound::Opaque,
    }
}

fn step(bound: &Bound, seg: &Arc<str>) -> Bound {
    match bound {
        Bound::Ref { root, path } => {
            let mut path = path.clone();
            path.push(seg.clone());
            Bound::Ref {
                root: root.clone(),
                path,
            }
        }
        Bound::Group { items, key } => match &**seg {
            "grouper" => {
                let mut b = each(items);
                for k in key {
                    b = step(&b, k);
                }
                b
            }
            "list" => (**items).clone(),
            _ => Bound::Opaque,
        },
        Bound::Groups { items, key } => {
            if seg.bytes().all(|b| b.is_ascii_digit()) || &**seg == "first" || &**seg == "last" {
                Bound::Group {
                    items: items.clone(),
                    key: key.clone(),
                }
            } else {
                Bound::Opaque
            }
        }
        Bound::Opaque => Bound::Opaque,
    }
}

impl Walker<'_> {
    fn record(&mut self, template: &Template) {
        let name = template.name().unwrap_or("<string>");
        self.templates.push(name.to_owned());
        for byte in name.bytes().chain([0u8]).chain(template.source().bytes()) {
            self.hash ^= u64::from(byte);
            self.hash = self.hash.wrapping_mul(FNV_PRIME);
        }
    }

    fn node_at(&mut self, root: &Arc<str>, path: &[Arc<str>]) -> &mut AccessNode {
        let origin = self.origin.clone();
        let mut node = self.accesses.name_mut(root);
        if node.origin.is_none() {
            node.origin.clone_from(&origin);
        }
        for seg in path {
            node = node.children.entry(seg.to_string()).or_default();
            if node.origin.is_none() {
                node.origin.clone_from(&origin);
            }
        }
        node
    }

    fn mark(&mut self, bound: &Bound, usage: Use) {
        match bound {
            Bound::Ref { root, path } => {
                let node = self.node_at(root, path);
                match usage {
                    Use::Render => node.rendered = true,
                    Use::Iterate => node.iterated = true,
                    Use::Length => node.length = true,
                    Use::Truth => node.truthy = true,
                    Use::Access => {}
                }
            }
            Bound::Groups { items, key } | Bound::Group { items, key } => {
                // Using the regroup list reads every item and its key.
                self.mark(items, Use::Iterate);
                let mut b = each(items);
                for k in key {
                    b = step(&b, k);
                }
                self.mark(&b, Use::Access);
            }
            Bound::Opaque => {}
        }
    }

    fn lookup(&mut self, scopes: &[Scope], path: &[Arc<str>]) -> Bound {
        let Some((head, rest)) = path.split_first() else {
            return Bound::Opaque;
        };
        let found = scopes.iter().rev().find_map(|s| s.get(head).cloned());
        let mut bound = match found {
            Some(b) => b,
            None if self.isolated => Bound::Opaque,
            None => Bound::Ref {
                root: head.clone(),
                path: Vec::new(),
            },
        };
        for seg in rest {
            bound = step(&bound, seg);
        }
        bound
    }

    fn operand(&mut self, scopes: &[Scope], op: &Operand) -> Bound {
        match &op.kind {
            OperandKind::Path(path) => self.lookup(scopes, path),
            OperandKind::Literal(_) => Bound::Opaque,
        }
    }

    /// Record a filter expression; mark its final value with `usage`.
    fn expr(&mut self, scopes: &[Scope], fe: &FilterExpr, usage: Use) -> Bound {
        let mut bound = self.operand(scopes, &fe.head);
        for call in &fe.filters {
            if let Some(arg) = &call.arg {
                let arg_bound = self.operand(scopes, arg);
                self.mark(&arg_bound, Use::Render);
            }
            if matches!(bound, Bound::Opaque) {
                continue;
            }
            match &*call.name {
                "default" | "default_if_none" => self.mark(&bound, Use::Truth),
                "slice" | "safe" | "safeseq" => {}
                "dictsort" | "dictsortreversed" => {
                    self.mark(&bound, Use::Iterate);
                    if let Some(Operand {
                        kind: OperandKind::Literal(key),
                        ..
                    }) = &call.arg
                    {
                        if let Some(key) = key.as_str() {
                            let mut b = each(&bound);
                            for seg in key.split('.') {
                                b = step(&b, &Arc::from(seg));
                            }
                            self.mark(&b, Use::Access);
                        }
                    }
                }
                "first" | "last" | "random" => {
                    self.mark(&bound, Use::Iterate);
                    bound = each(&bound);
                }
                "join" | "unordered_list" => {
                    self.mark(&bound, Use::Iterate);
                    let element = each(&bound);
                    self.mark(&element, Use::Render);
                    bound = Bound::Opaque;
                }
                "length" | "length_is" | "pluralize" => {
                    self.mark(&bound, Use::Length);
                    bound = Bound::Opaque;
                }
                "yesno" => {
                    self.mark(&bound, Use::Truth);
                    bound = Bound::Opaque;
                }
                _ => {
                    // Any other filter consumes the value (a model prints through __str__).
                    self.mark(&bound, Use::Render);
                    bound = Bound::Opaque;
                }
            }
        }
        self.mark(&bound, usage);
        bound
    }

    fn cond(&mut self, scopes: &[Scope], cond: &Cond, usage: Use) {
        match cond {
            Cond::Value(fe) => {
                self.expr(scopes, fe, usage);
            }
            Cond::Not(inner) => self.cond(scopes, inner, Use::Truth),
            Cond::And(a, b) | Cond::Or(a, b) => {
                self.cond(scopes, a, Use::Truth);
                self.cond(scopes, b, Use::Truth);
            }
            Cond::Compare(_, a, b) => {
                self.cond(scopes, a, Use::Render);
                self.cond(scopes, b, Use::Render);
            }
        }
    }

    fn set_origin(&mut self, node: &Node) {
        self.origin = Some(Origin {
            template: self.current.to_string(),
            line: node.span.line,
        });
    }

    fn nodes(
        &mut self,
        nodes: &[Node],
        scopes: &mut Vec<Scope>,
        blocks: &Blocks,
    ) -> Result<(), ExtractError> {
        for node in nodes {
            self.node(node, scopes, blocks)?;
        }
        Ok(())
    }

    fn bind(scopes: &mut [Scope], name: &Arc<str>, bound: Bound) {
        if let Some(scope) = scopes.last_mut() {
            scope.insert(name.clone(), bound);
        }
    }

    fn scoped(
        &mut self,
        scope: Scope,
        nodes: &[Node],
        scopes: &mut Vec<Scope>,
        blocks: &Blocks,
    ) -> Result<(), ExtractError> {
        scopes.push(scope);
        let result = self.nodes(nodes, scopes, blocks);
        scopes.pop();
        result
    }

    fn node(
        &mut self,
        node: &Node,
        scopes: &mut Vec<Scope>,
        blocks: &Blocks,
    ) -> Result<(), ExtractError> {
        if matches!(node.node, NodeKind::Text(_)) {
            return Ok(());
        }
        self.set_origin(node);
        match &node.node {
            NodeKind::Var(fe) => {
                self.expr(scopes, fe, Use::Render);
            }
            NodeKind::If(branches) => {
                for (cond, body) in branches {
                    if let Some(cond) = cond {
                        self.cond(scopes, cond, Use::Truth);
                    }
                    self.nodes(body, scopes, blocks)?;
                }
            }
            NodeKind::For(f) => {
                let seq = self.expr(scopes, &f.iter, Use::Iterate);
                let item = each(&seq);
                let mut scope = Scope::new();
                scope.insert(Arc::from("forloop"), Bound::Opaque);
                if let [single] = f.targets.as_slice() {
                    scope.insert(single.clone(), item);
                } else {
                    for (i, target) in f.targets.iter().enumerate() {
                        let seg: Arc<str> = match (&item, i) {
                            (Bound::Group { .. }, 0) => Arc::from("grouper"),
                            (Bound::Group { .. }, _) => Arc::from("list"),
                            _ => Arc::from(i.to_string()),
                        };
                        scope.insert(target.clone(), step(&item, &seg));
                    }
                }
                self.scoped(scope, &f.body, scopes, blocks)?;
                self.nodes(&f.empty, scopes, blocks)?;
            }
            NodeKind::With(kwargs, body) => {
                let scope = kwargs
                    .iter()
                    .map(|(name, fe)| (name.clone(), self.expr(scopes, fe, Use::Access)))
                    .collect();
                self.scoped(scope, body, scopes, blocks)?;
            }
            NodeKind::Regroup(r) => {
                let target = self.expr(scopes, &r.target, Use::Iterate);
                // The grouper expression is written against the `as` name bound to each item.
                let key: Vec<Arc<str>> = match &r.expr.head.kind {
                    OperandKind::Path(p) => p.iter().skip(1).cloned().collect(),
                    OperandKind::Literal(_) => Vec::new(),
                };
                let bound = if matches!(target, Bound::Opaque) {
                    Bound::Opaque
                } else {
                    let groups = Bound::Groups {
                        items: Box::new(target),
                        key,
                    };
                    self.mark(&groups, Use::Access);
                    groups
                };
                Self::bind(scopes, &r.var, bound);
            }
            NodeKind::Firstof(values, asvar) => {
                for fe in values {
                    let b = self.expr(scopes, fe, Use::Truth);
                    self.mark(&b, Use::Render);
                }
                if let Some(name) = asvar {
                    Self::bind(scopes, name, Bound::Opaque);
                }
            }
            NodeKind::Cycle(def) => {
                for fe in &def.values {
                    self.expr(scopes, fe, Use::Render);
                }
                if let Some(name) = &def.name {
                    Self::bind(scopes, name, Bound::Opaque);
                }
            }
            NodeKind::Include(inc) => self.include(inc, scopes)?,
            NodeKind::Extends(ext) => self.extends(ext, scopes, blocks)?,
            NodeKind::Block(block) => {
                let mut chain: Vec<Arc<BlockNode>> =
                    blocks.get(&block.name).cloned().unwrap_or_default();
                chain.push(block.clone());
                self.block_chain(&chain, scopes, blocks)?;
            }
            NodeKind::Autoescape(_, body)
            | NodeKind::Spaceless(body)
            | NodeKind::Localize(_, body)
            | NodeKind::LocalTime(_, body) => self.nodes(body, scopes, blocks)?,
            NodeKind::Filter(fe, body)
            | NodeKind::Language(fe, body)
            | NodeKind::Timezone(fe, body) => {
                self.expr(scopes, fe, Use::Render);
                self.nodes(body, scopes, blocks)?;
            }
            NodeKind::IfChanged(ic) => {
                for fe in &ic.vars {
                    self.expr(scopes, fe, Use::Render);
                }
                self.nodes(&ic.body, scopes, blocks)?;
                self.nodes(&ic.otherwise, scopes, blocks)?;
            }
            NodeKind::Url(url) => {
                self.expr(scopes, &url.view, Use::Render);
                for fe in url.args.iter().chain(url.kwargs.iter().map(|(_, fe)| fe)) {
                    self.expr(scopes, fe, Use::Render);
                }
                if let Some(name) = &url.asvar {
                    Self::bind(scopes, name, Bound::Opaque);
                }
            }
            NodeKind::WidthRatio(values, asvar) => {
                for fe in values.iter() {
                    self.expr(scopes, fe, Use::Render);
                }
                if let Some(name) = asvar {
                    Self::bind(scopes, name, Bound::Opaque);
                }
            }
            NodeKind::Static(fe, asvar) => {
                self.expr(scopes, fe, Use::Render);
                if let Some(name) = asvar {
                    Self::bind(scopes, name, Bound::Opaque);
                }
            }
            NodeKind::Translate(t) => {
                self.expr(scopes, &t.message, Use::Render);
                if let Some(name) = &t.asvar {
                    Self::bind(scopes, name, Bound::Opaque);
                }
            }
            NodeKind::BlockTranslate(bt) => {
                let mut scope = Scope::new();
                for (name, fe) in bt.with.iter().chain(bt.count.iter()) {
                    let b = self.expr(scopes, fe, Use::Render);
                    scope.insert(name.clone(), b);
                }
                scopes.push(scope);
                for part in bt.singular.iter().chain(&bt.plural) {
                    if let djust_vdom::ast::BtPart::Var(name) = part {
                        let b = self.lookup(scopes, std::slice::from_ref(name));
                        self.mark(&b, Use::Render);
                    }
                }
                scopes.pop();
                if let Some(name) = &bt.asvar {
                    Self::bind(scopes, name, Bound::Opaque);
                }
            }
            NodeKind::I18nGet(get) => {
                use djust_vdom::ast::I18nGet;
                let name = match get {
                    I18nGet::CurrentLanguage(n)
                    | I18nGet::CurrentLanguageBidi(n)
                    | I18nGet::AvailableLanguages(n) => n,
                    I18nGet::LanguageInfo(fe, n) | I18nGet::LanguageInfoList(fe, n) => {
                        self.expr(scopes, fe, Use::Render);
                        n
                    }
                };
                Self::bind(scopes, name, Bound::Opaque);
            }
            NodeKind::Now(_, Some(name))
            | NodeKind::Prefix(_, Some(name))
            | NodeKind::GetCurrentTimezone(name) => Self::bind(scopes, name, Bound::Opaque),
            NodeKind::Lorem { count, .. } => {
                self.expr(scopes, count, Use::Render);
            }
            NodeKind::Custom(c) => {
                // A host tag receives its arguments whole: they may be read in any way.
                for fe in c.args.iter().chain(c.kwargs.iter().map(|(_, fe)| fe)) {
                    let b = self.expr(scopes, fe, Use::Render);
                    if let Bound::Ref { root, path } = &b {
                        let mut opaque = path.clone();
                        opaque.push(Arc::from("*"));
                        self.node_at(root, &opaque);
                    }
                }
                if let Some(name) = &c.asvar {
                    Self::bind(scopes, name, Bound::Opaque);
                }
            }
            NodeKind::Text(_)
            | NodeKind::Comment
            | NodeKind::Load
            | NodeKind::CsrfToken
            | NodeKind::ResetCycle(_)
            | NodeKind::Debug
            | NodeKind::Now(_, None)
            | NodeKind::Prefix(_, None)
            | NodeKind::TemplateTag(_)
            | NodeKind::Verbatim(_) => {}
        }
        Ok(())
    }

    fn literal_name(fe: &FilterExpr, what: &'static str) -> Result<String, ExtractError> {
        match &fe.head.kind {
            OperandKind::Literal(v) if fe.filters.is_empty() => v
                .as_str()
                .map(str::to_owned)
                .ok_or(ExtractError::DynamicName(what)),
            _ => Err(ExtractError::DynamicName(what)),
        }
    }

    fn with_template<T>(
        &mut self,
        template: &Template,
        f: impl FnOnce(&mut Self) -> Result<T, ExtractError>,
    ) -> Result<T, ExtractError> {
        self.record(template);
        let saved_current = std::mem::replace(
            &mut self.current,
            Arc::from(template.name().unwrap_or("<string>")),
        );
        let saved_origin = self.origin.clone();
        let result = f(self);
        self.current = saved_current;
        self.origin = saved_origin;
        result
    }

    fn include(
        &mut self,
        inc: &djust_vdom::ast::IncludeNode,
        scopes: &[Scope],
    ) -> Result<(), ExtractError> {
        let name = Self::literal_name(&inc.template, "include")?;
        if self.depth >= self.max_depth {
            return Err(ExtractError::TooDeep(self.max_depth));
        }
        let scope: Scope = inc
            .with
            .iter()
            .map(|(k, fe)| (k.clone(), self.expr(scopes, fe, Use::Access)))
            .collect();
        let template = self.env.get_template(&name)?;
        let mut inner = if inc.only {
            vec![scope]
        } else {
            let mut s = scopes.to_vec();
            s.push(scope);
            s
        };
        self.depth += 1;
        let was_isolated = self.isolated;
        self.isolated |= inc.only;
        let result = self.with_template(&template, |w| {
            w.nodes(&template.ast().nodes, &mut inner, &Blocks::new())
        });
        self.isolated = was_isolated;
        self.depth -= 1;
        result
    }

    fn extends(
        &mut self,
        ext: &djust_vdom::ast::ExtendsNode,
        scopes: &mut Vec<Scope>,
        blocks: &Blocks,
    ) -> Result<(), ExtractError> {
        let name = Self::literal_name(&ext.parent, "extends")?;
        if self.depth >= self.max_depth {
            return Err(ExtractError::TooDeep(self.max_depth));
        }
        // Child blocks come before the parent's in each chain (most derived first).
        let mut merged = blocks.clone();
        let mut found = Vec::new();
        collect_blocks(&ext.body, &mut found);
        for block in found {
            merged.entry(block.name.clone()).or_default().push(block);
        }
        let parent = self.env.get_template(&name)?;
        self.depth += 1;
        let result = self.with_template(&parent, |w| w.nodes(&parent.ast().nodes, scopes, &merged));
        self.depth -= 1;
        result
    }

    fn block_chain(
        &mut self,
        chain: &[Arc<BlockNode>],
        scopes: &mut Vec<Scope>,
        blocks: &Blocks,
    ) -> Result<(), ExtractError> {
        let Some((top, rest)) = chain.split_first() else {
            return Ok(());
        };
        let mut scope = Scope::new();
        scope.insert(Arc::from("block"), Bound::Opaque);
        self.scoped(scope, &top.body, scopes, blocks)?;
        if !rest.is_empty() && uses_block_super(&top.body) {
            self.block_chain(rest, scopes, blocks)?;
        }
        Ok(())
    }
}

fn collect_blocks(nodes: &[Node], out: &mut Vec<Arc<BlockNode>>) {
    for node in nodes {
        for_children(node, &mut |children| collect_blocks(children, out));
        if let NodeKind::Block(b) = &node.node {
            out.push(b.clone());
        }
    }
}

fn uses_block_super(nodes: &[Node]) -> bool {
    nodes.iter().any(|node| {
        if let NodeKind::Var(fe) = &node.node {
            if let OperandKind::Path(p) = &fe.head.kind {
                if p.len() == 2 && &*p[0] == "block" && &*p[1] == "super" {
                    return true;
                }
            }
        }
        let mut found = false;
        if !matches!(node.node, NodeKind::Block(_)) {
            for_children(node, &mut |children| found |= uses_block_super(children));
        }
        found
    })
}

/// Call `f` on each child node list (not descending into includes).
fn for_children(node: &Node, f: &mut dyn FnMut(&[Node])) {
    match &node.node {
        NodeKind::If(branches) => branches.iter().for_each(|(_, body)| f(body)),
        NodeKind::For(fo) => {
            f(&fo.body);
            f(&fo.empty);
        }
        NodeKind::Block(b) => f(&b.body),
        NodeKind::With(_, body)
        | NodeKind::Autoescape(_, body)
        | NodeKind::Spaceless(body)
        | NodeKind::Filter(_, body)
        | NodeKind::Language(_, body)
        | NodeKind::Localize(_, body)
        | NodeKind::LocalTime(_, body)
        | NodeKind::Timezone(_, body) => f(body),
        NodeKind::IfChanged(ic) => {
            f(&ic.body);
            f(&ic.otherwise);
        }
        _ => {}
    }
}
