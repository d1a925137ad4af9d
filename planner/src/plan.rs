//! From accesses to a query plan.
//!
//! Two passes. [`AccessGraph::build`] resolves an access tree against the
//! [`SchemaGraph`] into a petgraph graph: one node per model *occurrence*
//! (the queryset's model, each joined model, each prefetched model) holding
//! the fields read there, one edge per relation followed. [`AccessGraph::plan`]
//! walks that graph from the root: single-valued edges become
//! `select_related` joins of the current queryset, multi-valued edges start a
//! nested `Prefetch` with its own queryset; fields become `only()` entries,
//! together with the pk and every key a join or a prefetch needs.
use std::collections::BTreeSet;
use std::fmt;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::{Deserialize, Serialize};

use crate::access::AccessNode;
use crate::schema::{Member, Model, RelationKind, SchemaGraph};

/// Errors planning a queryset.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The queryset's model is not in the schema.
    #[error("model {0} is not in the schema (was it installed after the schema was exported?)")]
    UnknownModel(String),
}

/// The parts of the user's queryset that the plan must respect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shape {
    /// When set, the queryset is not planned (`values()`, `raw()`, a union...): the reason.
    #[serde(default)]
    pub passthrough: Option<String>,
    /// Fields the user's own `only()` asked for (kept: loading more never changes results).
    #[serde(default)]
    pub only: Vec<String>,
    /// The user's own `select_related()` paths (kept, so `only()` keeps their keys).
    #[serde(default)]
    pub select_related: Vec<String>,
    /// Annotation names (read as plain attributes of each row).
    #[serde(default)]
    pub annotations: Vec<String>,
    /// Prefetch lookups the user gave with a custom queryset: the plan leaves them alone.
    #[serde(default)]
    pub custom_prefetches: Vec<String>,
    /// `(model label, attribute)` pairs a render loaded lazily despite the
    /// plan ("the JIT learns"): read on every instance of that model.
    #[serde(default)]
    pub learned: Vec<(String, String)>,
}

/// One `Prefetch(lookup, queryset=...)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefetchPlan {
    /// The lookup, relative to the queryset it is attached to.
    pub lookup: String,
    /// The queryset used to fetch the related rows.
    pub queryset: QuerySetPlan,
}

/// What to apply to one queryset (the user's, or a prefetch's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuerySetPlan {
    /// Model label (`library.Book`).
    pub model: String,
    /// Class name, for the Python rendering of the plan.
    pub model_name: String,
    /// The default manager's attribute name.
    pub manager: String,
    /// `select_related(...)` paths (only the deepest of each chain).
    pub select_related: Vec<String>,
    /// Nested prefetches.
    pub prefetches: Vec<PrefetchPlan>,
    /// `only(...)` fields, or `None` when every column must be loaded.
    pub only: Option<Vec<String>>,
}

/// A complete plan for one context name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The plan for the user's queryset.
    pub root: QuerySetPlan,
    /// Why parts were left unplanned or widened (shown with the plan).
    pub notes: Vec<String>,
    /// When set, nothing is applied: the reason.
    pub passthrough: Option<String>,
}

#[derive(Debug, Clone)]
struct ModelNode {
    label: String,
    fields: BTreeSet<String>,
    /// Every column is loaded (the planner could not see all reads).
    conservative: bool,
}

#[derive(Debug, Clone)]
struct RelEdge {
    name: String,
    kind: RelationKind,
}

/// The accesses of one context name resolved over the schema.
#[derive(Debug)]
pub struct AccessGraph<'s> {
    schema: &'s SchemaGraph,
    graph: DiGraph<ModelNode, RelEdge>,
    root: NodeIndex,
    notes: Vec<String>,
    /// Attributes being expanded (guards against properties reading each other).
    active: Vec<(String, String)>,
    /// Widened reads, from [`Shape::learned`].
    learned: Vec<(String, String)>,
}

/// Plan `accesses` (the tree of a context name bound to a queryset of
/// `model`) against `schema`, respecting the queryset's `shape`.
pub fn plan(
    schema: &SchemaGraph,
    model: &str,
    accesses: &AccessNode,
    shape: &Shape,
) -> Result<Plan, PlanError> {
    if let Some(reason) = &shape.passthrough {
        // Not planned: the "model" may be anything (an iterator has none).
        let root = match schema.model(model) {
            Some(m) => empty_queryset(m),
            None => QuerySetPlan {
                model: model.to_owned(),
                model_name: model.to_owned(),
                manager: String::new(),
                select_related: Vec::new(),
                prefetches: Vec::new(),
                only: None,
            },
        };
        return Ok(Plan {
            root,
            notes: vec![format!("not planned: {reason}")],
            passthrough: Some(reason.clone()),
        });
    }
    let root_model = schema
        .model(model)
        .ok_or_else(|| PlanError::UnknownModel(model.to_owned()))?;
    let graph = AccessGraph::build(schema, root_model, accesses, shape);
    Ok(graph.plan(shape))
}

fn empty_queryset(model: &Model) -> QuerySetPlan {
    QuerySetPlan {
        model: model.label.clone(),
        model_name: model.name.clone(),
        manager: model.default_manager.clone(),
        select_related: Vec::new(),
        prefetches: Vec::new(),
        only: None,
    }
}

fn is_index(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

/// What a queryset-like value (the user's queryset or a related manager)
/// yields: the merged accesses of its elements, and whether rows are needed.
fn elements(node: &AccessNode, is_manager: bool, notes: &mut Vec<String>) -> (AccessNode, bool) {
    let mut element = AccessNode::default();
    let mut rows = node.iterated || node.length || (node.truthy && !is_manager);
    for (name, child) in &node.children {
        match name.as_str() {
            "[]" | "first" | "last" => {
                element.merge(child);
                rows = true;
            }
            n if is_index(n) => {
                element.merge(child);
                rows = true;
            }
            "all" => {
                let (inner, _) = elements(child, false, notes);
                element.merge(&inner);
                rows = true;
            }
            "count" | "exists" => rows = true,
            other => notes.push(format!(
                "`{other}` on a queryset is not a row access; ignored by the planner"
            )),
        }
    }
    (element, rows)
}

impl<'s> AccessGraph<'s> {
    /// Resolve `accesses` on `model` into the access graph.
    pub fn build(
        schema: &'s SchemaGraph,
        model: &Model,
        accesses: &AccessNode,
        shape: &Shape,
    ) -> Self {
        let mut this = Self {
            schema,
            graph: DiGraph::new(),
            root: NodeIndex::new(0),
            notes: Vec::new(),
            active: Vec::new(),
            learned: shape.learned.clone(),
        };
        let mut notes = Vec::new();
        let (mut element, _) = elements(accesses, false, &mut notes);
        this.notes.extend(notes);
        let root = this.add_node(model);
        this.root = root;
        // The user's own only() and select_related() are reads the plan must keep.
        for path in shape.only.iter().chain(&shape.select_related) {
            let segments: Vec<&str> = path.split("__").collect();
            element.path_mut(&segments);
        }
        let skip: BTreeSet<&str> = shape.annotations.iter().map(String::as_str).collect();
        this.visit_model(root, model, &element, &skip, "", &shape.custom_prefetches);
        this
    }

    /// The node reached from `idx` through relation `name`: the existing one
    /// when the relation was already followed (by the template and by a
    /// property, say), so each join and prefetch appears once.
    fn follow(
        &mut self,
        idx: NodeIndex,
        target: &Model,
        name: &str,
        kind: RelationKind,
    ) -> NodeIndex {
        if let Some(edge) = self
            .graph
            .edges_directed(idx, Direction::Outgoing)
            .find(|e| e.weight().name == name)
        {
            return edge.target();
        }
        let to = self.add_node(target);
        self.graph.add_edge(
            idx,
            to,
            RelEdge {
                name: name.to_owned(),
                kind,
            },
        );
        to
    }

    fn add_node(&mut self, model: &Model) -> NodeIndex {
        self.graph.add_node(ModelNode {
            label: model.label.clone(),
            fields: BTreeSet::new(),
            conservative: false,
        })
    }

    fn conservative(&mut self, idx: NodeIndex, model: &Model, why: String) {
        if !self.graph[idx].conservative {
            self.notes.push(format!(
                "{}: {why}; loading every column of {}",
                model.name, model.name
            ));
        }
        self.graph[idx].conservative = true;
    }

    /// Record what `node` reads on an instance of `model` at graph node `idx`.
    /// `path` is the lookup path from the plan root (for notes and custom prefetches).
    fn visit_model(
        &mut self,
        idx: NodeIndex,
        model: &Model,
        node: &AccessNode,
        annotations: &BTreeSet<&str>,
        path: &str,
        custom_prefetches: &[String],
    ) {
        let missing: Vec<String> = self
            .learned
            .iter()
            .filter(|(m, attr)| *m == model.label && !node.children.contains_key(attr))
            .map(|(_, attr)| attr.clone())
            .collect();
        if !missing.is_empty() {
            let mut widened = node.clone();
            for attr in missing {
                let extra = widened.path_mut(&[&attr]);
                extra.iterated = true;
                extra.rendered = true;
                self.notes.push(format!(
                    "{}.{attr}: added after a render loaded it lazily",
                    model.name
                ));
            }
            // Nothing is missing from `widened`, so this does not recurse again.
            self.visit_model(idx, model, &widened, annotations, path, custom_prefetches);
            return;
        }
        if node.rendered {
            self.apply_attribute(idx, model, "__str__", node, path, custom_prefetches);
        }
        for (name, child) in &node.children {
            if annotations.contains(name.as_str()) {
                continue;
            }
            if name == "*" {
                self.conservative(
                    idx,
                    model,
                    "a model method reads it in ways the planner cannot follow".to_owned(),
                );
                continue;
            }
            match model.member(name) {
                Some(Member::Pk) => {}
                Some(Member::Field(field)) => {
                    self.graph[idx].fields.insert(field.name.clone());
                }
                Some(Member::Relation(rel)) => {
                    let lookup = join_path(path, &rel.name);
                    if rel.kind.is_generic() {
                        self.notes.push(format!(
                            "{}.{}: generic relations are unplannable; left to Django",
                            model.name, rel.name
                        ));
                        for f in &rel.generic_fields {
                            self.graph[idx].fields.insert(f.clone());
                        }
                        continue;
                    }
                    let Some(target) = rel.target.as_deref().and_then(|t| self.schema.model(t))
                    else {
                        continue;
                    };
                    if rel.kind.is_single() {
                        let to = self.follow(idx, target, rel.name.as_str(), rel.kind);
                        if rel.kind == RelationKind::ReverseO2o {
                            if let Some(back) = &rel.remote_field {
                                self.graph[to].fields.insert(back.clone());
                            }
                        }
                        self.visit_model(
                            to,
                            target,
                            child,
                            &BTreeSet::new(),
                            &lookup,
                            custom_prefetches,
                        );
                    } else {
                        if custom_prefetches.contains(&lookup) {
                            self.notes.push(format!(
                                "{lookup}: your own Prefetch(queryset=...) is kept; accesses inside it are not planned"
                            ));
                            continue;
                        }
                        let mut notes = Vec::new();
                        let (element, rows) = elements(child, true, &mut notes);
                        self.notes.extend(notes);
                        if !rows {
                            continue;
                        }
                        let to = self.follow(idx, target, rel.name.as_str(), rel.kind);
                        if rel.kind == RelationKind::ReverseFk {
                            if let Some(back) = &rel.remote_field {
                                self.graph[to].fields.insert(back.clone());
                            }
                        }
                        self.visit_model(
                            to,
                            target,
                            &element,
                            &BTreeSet::new(),
                            &lookup,
                            custom_prefetches,
                        );
                    }
                }
                Some(Member::Attribute(_)) => {
                    self.apply_attribute(idx, model, name, child, path, custom_prefetches);
                }
                None => {
                    self.conservative(
                        idx,
                        model,
                        format!("`{name}` is not a field, relation or analysable attribute"),
                    );
                }
            }
        }
    }

    /// A property, method or `__str__`: apply the `self.<path>` reads found in
    /// its source, or become conservative for the model.
    fn apply_attribute(
        &mut self,
        idx: NodeIndex,
        model: &Model,
        name: &str,
        used: &AccessNode,
        path: &str,
        custom_prefetches: &[String],
    ) {
        let Some(attr) = model.attributes.get(name) else {
            // No project __str__: Django's Model.__str__ prints the pk.
            return;
        };
        let Some(reads) = &attr.reads else {
            let why = attr
                .reason
                .clone()
                .unwrap_or_else(|| "source unavailable".to_owned());
            self.conservative(idx, model, format!("`{name}` cannot be analysed ({why})"));
            return;
        };
        if name != "__str__" && !used.children.is_empty() {
            self.conservative(
                idx,
                model,
                format!("the template reads attributes of what `{name}` returns"),
            );
        }
        if let Some(why) = &attr.reason {
            let note = format!(
                "{}.{name} {why}: one query per row whatever the plan; its related rows are loaded whole",
                model.name
            );
            if !self.notes.contains(&note) {
                self.notes.push(note);
            }
        }
        let frame = (model.label.clone(), name.to_owned());
        if self.active.contains(&frame) {
            return;
        }
        let mut synthetic = AccessNode::default();
        for read in reads {
            if read.is_empty() {
                continue;
            }
            let leaf = synthetic.path_mut(read);
            leaf.rendered = true;
        }
        // A self.<x> read where x is another property recurses through member().
        self.active.push(frame);
        self.visit_model(
            idx,
            model,
            &synthetic,
            &BTreeSet::new(),
            path,
            custom_prefetches,
        );
        self.active.pop();
    }

    /// Walk the graph into a plan.
    pub fn plan(&self, shape: &Shape) -> Plan {
        let model = self.model_of(self.root);
        let mut notes = self.notes.clone();
        if !shape.only.is_empty() {
            notes.push("your only() fields are kept in the plan's only()".to_owned());
        }
        notes.dedup();
        Plan {
            root: self.queryset(self.root, model),
            notes,
            passthrough: None,
        }
    }

    fn model_of(&self, idx: NodeIndex) -> &'s Model {
        let label = &self.graph[idx].label;
        // Nodes are only created from models found in the schema.
        self.schema
            .model(label)
            .unwrap_or_else(|| unreachable!("node for a model missing from the schema: {label}"))
    }

    fn queryset(&self, idx: NodeIndex, model: &Model) -> QuerySetPlan {
        let mut qs = empty_queryset(model);
        let mut only = Vec::new();
        let mut restricted = false;
        self.collect_level(idx, "", &mut qs, &mut only, &mut restricted);
        if restricted {
            let mut seen = BTreeSet::new();
            only.retain(|f| seen.insert(f.clone()));
            qs.only = Some(only);
        }
        qs.select_related.sort();
        let chains = qs.select_related.clone();
        qs.select_related.retain(|p| {
            !chains
                .iter()
                .any(|q| q.len() > p.len() && q.starts_with(&format!("{p}__")))
        });
        qs.select_related.dedup();
        qs
    }

    /// One queryset level: this node's fields plus every joined model's,
    /// prefixed with the join path; multi-valued edges become prefetches.
    fn collect_level(
        &self,
        idx: NodeIndex,
        prefix: &str,
        qs: &mut QuerySetPlan,
        only: &mut Vec<String>,
        restricted: &mut bool,
    ) {
        let node = &self.graph[idx];
        let model = self.model_of(idx);
        only.push(join_path(prefix, &model.pk));
        if node.conservative {
            only.extend(model.fields.iter().map(|f| join_path(prefix, &f.name)));
        } else {
            *restricted = true;
            only.extend(node.fields.iter().map(|f| join_path(prefix, f)));
        }
        let mut edges: Vec<_> = self
            .graph
            .edges_directed(idx, Direction::Outgoing)
            .collect();
        edges.sort_by(|a, b| a.weight().name.cmp(&b.weight().name));
        for edge in edges {
            let rel = edge.weight();
            let path = join_path(prefix, &rel.name);
            if rel.kind.is_single() {
                qs.select_related.push(path.clone());
                if rel.kind != RelationKind::ReverseO2o {
                    only.push(path.clone());
                }
                self.collect_level(edge.target(), &path, qs, only, restricted);
            } else {
                let target = self.model_of(edge.target());
                qs.prefetches.push(PrefetchPlan {
                    lookup: path,
                    queryset: self.queryset(edge.target(), target),
                });
            }
        }
    }
}

fn join_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}__{name}")
    }
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl QuerySetPlan {
    /// True when the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.select_related.is_empty() && self.prefetches.is_empty() && self.only.is_none()
    }

    fn write_calls(&self, f: &mut fmt::Formatter<'_>, indent: usize) -> fmt::Result {
        if !self.select_related.is_empty() {
            write!(f, ".select_related({})", quoted(&self.select_related))?;
        }
        if !self.prefetches.is_empty() {
            let pad = " ".repeat(indent + 4);
            writeln!(f, ".prefetch_related(")?;
            for p in &self.prefetches {
                write!(
                    f,
                    "{pad}Prefetch({:?}, queryset={}.{}",
                    p.lookup, p.queryset.model_name, p.queryset.manager
                )?;
                if p.queryset.is_empty() {
                    write!(f, ".all()")?;
                }
                p.queryset.write_calls(f, indent + 4)?;
                writeln!(f, "),")?;
            }
            write!(f, "{})", " ".repeat(indent))?;
        }
        if let Some(only) = &self.only {
            write!(f, ".only({})", quoted(only))?;
        }
        Ok(())
    }
}

/// The plan as the equivalent Python code.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for note in &self.notes {
            writeln!(f, "# {note}")?;
        }
        if self.passthrough.is_some() {
            return write!(f, "qs");
        }
        if !self.root.prefetches.is_empty() {
            writeln!(f, "from django.db.models import Prefetch\n")?;
        }
        write!(f, "qs")?;
        self.root.write_calls(f, 0)
    }
}
