//! The parsed form of a template: a tree of [`Node`]s, each with its
//! [`Span`]. Equality ignores spans, so tests compare structure.
//!
//! Blocks, loops and conditions are distinct node kinds so the slot compiler
//! and the planner's extraction can walk the tree without re-parsing tags.
use std::fmt;
use std::sync::Arc;

use crate::env::{CustomFilter, CustomTag};
use crate::error::Span;
use crate::filters::BuiltinFilter;
use crate::value::Value;

/// A value with the source position it came from. `==` compares only the
/// value.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it is in the template source.
    pub span: Span,
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T> Spanned<T> {
    /// Wrap `node` with its span.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// The template name (`None` for templates made from a string).
    pub name: Option<Arc<str>>,
    /// The top-level nodes. If the template extends another, this holds the
    /// text before `{% extends %}` and the [`NodeKind::Extends`] node, whose
    /// body is the rest of the template.
    pub nodes: Vec<Node>,
}

/// One node of the tree.
pub type Node = Spanned<NodeKind>;

/// A template variable or literal as Django's `Variable` holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Operand {
    /// What the operand is.
    pub kind: OperandKind,
    /// Wrapped in `_( )`: translated with `gettext` when resolved.
    pub translate: bool,
    /// The source text (used for `string_if_invalid`'s `%s`).
    pub text: Arc<str>,
}

/// The two kinds of operand.
#[derive(Clone, Debug)]
pub enum OperandKind {
    /// A number or a string literal (string literals are safe).
    Literal(Value),
    /// A dotted variable path, pre-split into segments.
    Path(Arc<[Arc<str>]>),
}

impl PartialEq for OperandKind {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (OperandKind::Path(a), OperandKind::Path(b)) => a == b,
            (OperandKind::Literal(a), OperandKind::Literal(b)) => literal_eq(a, b),
            _ => false,
        }
    }
}

/// Structural equality of the literal values a template can contain.
fn literal_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::None, Value::None) | (Value::Undefined, Value::Undefined) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x == y && a.is_safe() == b.is_safe(),
            _ => false,
        },
    }
}

/// A filter resolved at parse time.
#[derive(Clone)]
pub enum FilterRef {
    /// One of Django's built-in filters.
    Builtin(&'static BuiltinFilter),
    /// A filter from a library the host registered.
    Custom(Arc<dyn CustomFilter>),
}

impl fmt::Debug for FilterRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterRef::Builtin(b) => write!(f, "Builtin({})", b.name),
            FilterRef::Custom(_) => f.write_str("Custom"),
        }
    }
}

/// One `|name:arg` step of a filter expression.
#[derive(Clone, Debug)]
pub struct FilterCall {
    /// The name as written.
    pub name: Arc<str>,
    /// The filter it resolved to.
    pub filter: FilterRef,
    /// The argument, if any.
    pub arg: Option<Operand>,
}

impl PartialEq for FilterCall {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.arg == other.arg
    }
}

/// Django's `FilterExpression`: an operand followed by filters.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterExpr {
    /// The expression's source text.
    pub token: Arc<str>,
    /// The operand filters are applied to.
    pub head: Operand,
    /// The filters, in order.
    pub filters: Vec<FilterCall>,
}

/// An `{% if %}` condition (Django's smartif tree).
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// A filter expression, true when truthy.
    Value(FilterExpr),
    /// `not x`.
    Not(Box<Cond>),
    /// `x and y`.
    And(Box<Cond>, Box<Cond>),
    /// `x or y`.
    Or(Box<Cond>, Box<Cond>),
    /// A comparison `x op y`.
    Compare(CompareOp, Box<Cond>, Box<Cond>),
}

/// The comparison operators of `{% if %}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A named argument `name=expr`.
pub type Kwarg = (Arc<str>, FilterExpr);

/// Every node kind.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// Literal template text.
    Text(Arc<str>),
    /// `{{ expr }}`.
    Var(FilterExpr),
    /// `{% if %}` / `{% elif %}` / `{% else %}`: the first branch whose
    /// condition holds (a `None` condition is `else`).
    If(Vec<(Option<Cond>, Vec<Node>)>),
    /// `{% for %}`.
    For(Box<ForNode>),
    /// `{% block name %}`.
    Block(Arc<BlockNode>),
    /// `{% extends parent %}` and the rest of the template.
    Extends(Box<ExtendsNode>),
    /// `{% include %}`.
    Include(Box<IncludeNode>),
    /// `{% with %}`.
    With(Vec<Kwarg>, Vec<Node>),
    /// `{% autoescape on|off %}`.
    Autoescape(bool, Vec<Node>),
    /// `{% comment %}` (renders nothing, but counts as a tag for `extends`).
    Comment,
    /// `{% load %}` (renders nothing).
    Load,
    /// `{% csrf_token %}`.
    CsrfToken,
    /// `{% cycle %}` (a named reference shares the definition).
    Cycle(Arc<CycleDef>),
    /// `{% resetcycle %}`.
    ResetCycle(Arc<CycleDef>),
    /// `{% debug %}`.
    Debug,
    /// `{% filter f|g %}`: the body, rendered, through the filters.
    Filter(FilterExpr, Vec<Node>),
    /// `{% firstof a b "c" [as var] %}`.
    Firstof(Vec<FilterExpr>, Option<Arc<str>>),
    /// `{% ifchanged [vars] %}` … `{% else %}`.
    IfChanged(Box<IfChangedNode>),
    /// `{% lorem [count] [w|p|b] [random] %}`.
    Lorem {
        /// How many words or paragraphs.
        count: FilterExpr,
        /// `w`, `p` or `b`.
        method: char,
        /// Whether to start with the common "Lorem ipsum" text.
        common: bool,
    },
    /// `{% now "fmt" [as var] %}`.
    Now(Arc<str>, Option<Arc<str>>),
    /// `{% regroup list by attr as name %}`.
    Regroup(Box<RegroupNode>),
    /// `{% spaceless %}`.
    Spaceless(Vec<Node>),
    /// `{% templatetag name %}`: the literal it stands for.
    TemplateTag(&'static str),
    /// `{% url name args [as var] %}`.
    Url(Box<UrlNode>),
    /// `{% verbatim %}`: its text, unparsed.
    Verbatim(Arc<str>),
    /// `{% widthratio a b c [as var] %}`.
    WidthRatio(Box<[FilterExpr; 3]>, Option<Arc<str>>),
    /// `{% static path [as var] %}`.
    Static(FilterExpr, Option<Arc<str>>),
    /// `{% get_static_prefix [as var] %}` / `{% get_media_prefix [as var] %}`.
    Prefix(PrefixKind, Option<Arc<str>>),
    /// `{% translate %}` / `{% trans %}`.
    Translate(Box<TranslateNode>),
    /// `{% blocktranslate %}` / `{% blocktrans %}`.
    BlockTranslate(Box<BlockTranslateNode>),
    /// The i18n getters (`get_current_language as x` and friends).
    I18nGet(I18nGet),
    /// `{% language code %}`.
    Language(FilterExpr, Vec<Node>),
    /// `{% localize on|off %}`.
    Localize(bool, Vec<Node>),
    /// `{% localtime on|off %}`.
    LocalTime(bool, Vec<Node>),
    /// `{% timezone tz %}`.
    Timezone(FilterExpr, Vec<Node>),
    /// `{% get_current_timezone as var %}`.
    GetCurrentTimezone(Arc<str>),
    /// A host `simple_tag` or `inclusion_tag`.
    Custom(Box<CustomNode>),
}

/// `{% for %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForNode {
    /// The loop variables (more than one unpacks each item).
    pub targets: Vec<Arc<str>>,
    /// The sequence.
    pub iter: FilterExpr,
    /// `reversed`.
    pub reversed: bool,
    /// The loop body.
    pub body: Vec<Node>,
    /// The `{% empty %}` body.
    pub empty: Vec<Node>,
}

/// `{% block %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockNode {
    /// The block name.
    pub name: Arc<str>,
    /// Its body.
    pub body: Vec<Node>,
}

/// `{% extends %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtendsNode {
    /// The parent template name expression.
    pub parent: FilterExpr,
    /// The rest of the template (only its blocks matter when rendering).
    pub body: Vec<Node>,
}

/// `{% include %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct IncludeNode {
    /// The template name expression.
    pub template: FilterExpr,
    /// `with a=b`.
    pub with: Vec<Kwarg>,
    /// `only`.
    pub only: bool,
}

/// A `{% cycle %}` definition.
#[derive(Debug, PartialEq)]
pub struct CycleDef {
    /// The values cycled through.
    pub values: Vec<FilterExpr>,
    /// `as name`.
    pub name: Option<Arc<str>>,
    /// `silent`.
    pub silent: bool,
}

/// `{% ifchanged %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct IfChangedNode {
    /// The watched expressions (empty: watch the rendered body).
    pub vars: Vec<FilterExpr>,
    /// The body.
    pub body: Vec<Node>,
    /// The `{% else %}` body.
    pub otherwise: Vec<Node>,
}

/// `{% regroup %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct RegroupNode {
    /// The list to group.
    pub target: FilterExpr,
    /// The grouper, resolved with each item bound to `var`.
    pub expr: FilterExpr,
    /// The variable the groups are stored in.
    pub var: Arc<str>,
}

/// `{% url %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlNode {
    /// The view name.
    pub view: FilterExpr,
    /// Positional arguments.
    pub args: Vec<FilterExpr>,
    /// Keyword arguments.
    pub kwargs: Vec<Kwarg>,
    /// `as var`.
    pub asvar: Option<Arc<str>>,
}

/// Which prefix `{% get_*_prefix %}` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefixKind {
    /// `STATIC_URL`.
    Static,
    /// `MEDIA_URL`.
    Media,
}

/// `{% translate %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct TranslateNode {
    /// The message (a filter expression, usually a string literal).
    pub message: FilterExpr,
    /// `noop`: no translation.
    pub noop: bool,
    /// `context "..."`.
    pub context: Option<FilterExpr>,
    /// `as var`.
    pub asvar: Option<Arc<str>>,
}

/// One piece of a `{% blocktranslate %}` message.
#[derive(Clone, Debug, PartialEq)]
pub enum BtPart {
    /// Literal text.
    Text(Arc<str>),
    /// `{{ name }}`.
    Var(Arc<str>),
}

/// `{% blocktranslate %}`.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockTranslateNode {
    /// The tag name used (`blocktrans` or `blocktranslate`), for messages.
    pub tag_name: Arc<str>,
    /// `with a=b` bindings.
    pub with: Vec<Kwarg>,
    /// `count n=expr`.
    pub count: Option<Kwarg>,
    /// `context "..."`.
    pub context: Option<FilterExpr>,
    /// `trimmed`.
    pub trimmed: bool,
    /// `asvar name`.
    pub asvar: Option<Arc<str>>,
    /// The singular message.
    pub singular: Vec<BtPart>,
    /// The plural message (with `count`).
    pub plural: Vec<BtPart>,
}

/// The i18n getter tags; each stores into a variable.
#[derive(Clone, Debug, PartialEq)]
pub enum I18nGet {
    /// `get_current_language as var`.
    CurrentLanguage(Arc<str>),
    /// `get_current_language_bidi as var`.
    CurrentLanguageBidi(Arc<str>),
    /// `get_available_languages as var`.
    AvailableLanguages(Arc<str>),
    /// `get_language_info for code as var`.
    LanguageInfo(FilterExpr, Arc<str>),
    /// `get_language_info_list for list as var`.
    LanguageInfoList(FilterExpr, Arc<str>),
}

/// A host tag call.
#[derive(Clone)]
pub struct CustomNode {
    /// The tag name.
    pub name: Arc<str>,
    /// The implementation.
    pub tag: Arc<dyn CustomTag>,
    /// Positional arguments.
    pub args: Vec<FilterExpr>,
    /// Keyword arguments.
    pub kwargs: Vec<Kwarg>,
    /// `as var` (simple tags).
    pub asvar: Option<Arc<str>>,
}

impl fmt::Debug for CustomNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomNode")
            .field("name", &self.name)
            .field("args", &self.args)
            .field("kwargs", &self.kwargs)
            .field("asvar", &self.asvar)
            .finish()
    }
}

impl PartialEq for CustomNode {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.args == other.args
            && self.kwargs == other.kwargs
            && self.asvar == other.asvar
    }
}
