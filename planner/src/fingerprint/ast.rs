//! The AST fingerprint: parse with sqlparser, rewrite, print.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Ident, InTarget, Query, SetExpr, Statement, UnaryOperator, Value, ValueWithSpan,
    VisitMut, VisitorMut,
};
use sqlparser::parser::Parser;

use super::ident::is_plain;
use super::Dialect;

/// The fingerprint text of `sql` (Django placeholders already rewritten), or
/// `None` when sqlparser cannot parse it.
pub(crate) fn normalise(sql: &str, dialect: Dialect) -> Option<String> {
    let parser_dialect = dialect.parser_dialect();
    let mut statements = Parser::parse_sql(parser_dialect.as_ref(), sql).ok()?;
    if statements.is_empty() {
        return None;
    }
    let mut texts = Vec::with_capacity(statements.len());
    for statement in &mut statements {
        let _ = statement.visit(&mut Normaliser);
        texts.push(statement.to_string());
    }
    Some(texts.join("; "))
}

/// Rewrites an AST in place so that only its shape is left.
struct Normaliser;

fn placeholder() -> Expr {
    Expr::Value(Value::Placeholder("?".into()).with_empty_span())
}

fn is_placeholder(expr: &Expr) -> bool {
    match expr {
        Expr::Value(ValueWithSpan {
            value: Value::Placeholder(p),
            ..
        }) => p == "?",
        Expr::Cast { expr, .. } | Expr::Nested(expr) => is_placeholder(expr),
        Expr::Tuple(items) => items.iter().all(is_placeholder),
        _ => false,
    }
}

/// The single item a collapsed list is printed with: `IN (...)`.
fn ellipsis() -> Expr {
    Expr::Identifier(Ident::new("..."))
}

impl VisitorMut for Normaliser {
    type Break = ();

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        value.value = Value::Placeholder("?".into());
        ControlFlow::Continue(())
    }

    fn pre_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<()> {
        if ident.quote_style.is_some() {
            ident.quote_style = if is_plain(&ident.value) {
                None
            } else {
                Some('"')
            };
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match expr {
            Expr::In {
                target: InTarget::List(list),
                ..
            } if !list.is_empty() && list.iter().all(is_placeholder) => {
                *list = vec![ellipsis()];
            }
            Expr::Array(array)
                if !array.elem.is_empty() && array.elem.iter().all(is_placeholder) =>
            {
                array.elem = vec![ellipsis()];
            }
            Expr::UnaryOp {
                op: UnaryOperator::Minus | UnaryOperator::Plus,
                expr: inner,
            } if is_placeholder(inner) => *expr = placeholder(),
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let SetExpr::Values(values) = query.body.as_mut() {
            let first = values.rows.first().map(|row| row.content.clone());
            if let Some(first) = first {
                if values.rows.iter().all(|row| row.content == first) {
                    values.rows.truncate(1);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_statement(&mut self, statement: &mut Statement) -> ControlFlow<()> {
        // Savepoint names are generated per thread and call (Django's
        // `s140234_x1`): values, not shape.
        match statement {
            Statement::Savepoint { name } | Statement::ReleaseSavepoint { name } => {
                *name = Ident::new("?");
            }
            Statement::Rollback {
                savepoint: Some(name),
                ..
            } => *name = Ident::new("?"),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}
