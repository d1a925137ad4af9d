//! The access-path model: what a template does with one context name.
//!
//! Extraction (from vdom's AST in [`crate::extract`], or from Django's own
//! node tree in `djust/optimize.py`) produces one [`AccessNode`] tree per
//! context name. Each edge is an attribute segment exactly as written in the
//! template (`author`, `tags`, `all`, `count`, `0`); the node's marks say how
//! the value itself was used. The tree is schema-agnostic: the planner decides
//! that `all` on a related manager is transparent and `count` is a method.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where in a template an access was first seen (reported by the
/// "no surprise queries" check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The template name or file.
    pub template: String,
    /// 1-based line.
    pub line: u32,
}

/// One value reached from a context name, and how it was used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessNode {
    /// Attribute segments read from this value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub children: BTreeMap<String, AccessNode>,
    /// Iterated (`for`, `regroup`, `dictsort`, `join`...): every element is read.
    #[serde(default, skip_serializing_if = "is_false")]
    pub iterated: bool,
    /// Used for its length (`length`, `length_is`, `pluralize` on a sequence).
    #[serde(default, skip_serializing_if = "is_false")]
    pub length: bool,
    /// Tested for truthiness (`if`, `firstof`, `default`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub truthy: bool,
    /// Printed (`{{ x }}`): a model instance prints through its `__str__`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub rendered: bool,
    /// Where the value was first read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl AccessNode {
    /// The node at `path` below this one, created when missing.
    pub fn path_mut<S: AsRef<str>>(&mut self, path: &[S]) -> &mut AccessNode {
        let mut node = self;
        for seg in path {
            node = node.children.entry(seg.as_ref().to_owned()).or_default();
        }
        node
    }

    /// The node at `path`, if it was read.
    pub fn get<S: AsRef<str>>(&self, path: &[S]) -> Option<&AccessNode> {
        let mut node = self;
        for seg in path {
            node = node.children.get(seg.as_ref())?;
        }
        Some(node)
    }

    /// Add everything `other` reads to this node (union of both trees).
    pub fn merge(&mut self, other: &AccessNode) {
        self.iterated |= other.iterated;
        self.length |= other.length;
        self.truthy |= other.truthy;
        self.rendered |= other.rendered;
        if self.origin.is_none() {
            self.origin.clone_from(&other.origin);
        }
        for (name, child) in &other.children {
            self.children.entry(name.clone()).or_default().merge(child);
        }
    }

    /// True when nothing at all is read from this value.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty() && !self.iterated && !self.length && !self.truthy && !self.rendered
    }

    /// Every attribute path in the tree, depth first (for plans' notes and tests).
    pub fn paths(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut stack = Vec::new();
        self.collect(&mut stack, &mut out);
        out
    }

    fn collect(&self, stack: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        for (name, child) in &self.children {
            stack.push(name.clone());
            out.push(stack.clone());
            child.collect(stack, out);
            stack.pop();
        }
    }
}

/// The accesses of every context name a template reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accesses {
    /// Access tree per context name.
    pub names: BTreeMap<String, AccessNode>,
}

impl Accesses {
    /// The tree for `name` (created when missing).
    pub fn name_mut(&mut self, name: &str) -> &mut AccessNode {
        self.names.entry(name.to_owned()).or_default()
    }

    /// The tree for `name`, if the template reads it.
    pub fn name(&self, name: &str) -> Option<&AccessNode> {
        self.names.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_a_union() {
        let mut a = AccessNode::default();
        a.path_mut(&["author", "name"]).rendered = true;
        let mut b = AccessNode::default();
        b.path_mut(&["author", "country", "name"]).rendered = true;
        b.path_mut(&["tags"]).iterated = true;
        a.merge(&b);
        assert_eq!(
            a.paths(),
            vec![
                vec!["author".to_owned()],
                vec!["author".into(), "country".into()],
                vec!["author".into(), "country".into(), "name".into()],
                vec!["author".into(), "name".into()],
                vec!["tags".into()],
            ]
        );
        assert!(a.get(&["tags"]).is_some_and(|t| t.iterated));
    }

    #[test]
    fn json_is_compact() {
        let mut a = AccessNode::default();
        a.path_mut(&["title"]).rendered = true;
        let json = serde_json::to_string(&a).expect("serialise");
        assert_eq!(json, r#"{"children":{"title":{"rendered":true}}}"#);
        let back: AccessNode = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, a);
    }
}
