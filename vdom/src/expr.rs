//! The `{% if %}` expression parser: Django's `smartif` top-down operator
//! precedence parser, with its error messages.
use crate::ast::{CompareOp, Cond};
use crate::error::{Error, Result};
use crate::parser::Parser;

/// How deeply `not`/operators may nest in one expression.
const MAX_DEPTH: usize = 64;

enum Tok {
    Op(&'static str),
    Literal(String, Cond),
    End,
}

impl Tok {
    /// Left binding power.
    fn lbp(&self) -> u8 {
        match self {
            Tok::Op(op) => binding_power(op),
            _ => 0,
        }
    }

    fn display(&self) -> String {
        match self {
            Tok::Op(op) => (*op).to_owned(),
            Tok::Literal(text, _) => text.clone(),
            Tok::End => String::new(),
        }
    }
}

fn binding_power(op: &str) -> u8 {
    match op {
        "or" => 6,
        "and" => 7,
        "not" => 8,
        "in" | "not in" => 9,
        _ => 10,
    }
}

fn operator(token: &str) -> Option<&'static str> {
    Some(match token {
        "or" => "or",
        "and" => "and",
        "not" => "not",
        "in" => "in",
        "not in" => "not in",
        "is" => "is",
        "is not" => "is not",
        "==" => "==",
        "!=" => "!=",
        ">" => ">",
        ">=" => ">=",
        "<" => "<",
        "<=" => "<=",
        _ => return None,
    })
}

/// Parse the bits after `if`/`elif` into a condition.
pub(crate) fn parse_condition(parser: &Parser<'_>, bits: &[String]) -> Result<Cond> {
    let mut toks = Vec::with_capacity(bits.len());
    let mut i = 0;
    while i < bits.len() {
        let mut token = bits[i].as_str();
        if token == "is" && bits.get(i + 1).is_some_and(|b| b == "not") {
            token = "is not";
            i += 1;
        } else if token == "not" && bits.get(i + 1).is_some_and(|b| b == "in") {
            token = "not in";
            i += 1;
        }
        toks.push(match operator(token) {
            Some(op) => Tok::Op(op),
            None => Tok::Literal(token.to_owned(), Cond::Value(parser.compile_filter(token)?)),
        });
        i += 1;
    }
    toks.reverse();
    let mut p = IfParser {
        toks,
        current: Tok::End,
        depth: 0,
    };
    p.current = p.next();
    let cond = p.expression(0)?;
    if !matches!(p.current, Tok::End) {
        return Err(Error::syntax(format!(
            "Unused '{}' at end of if expression.",
            p.current.display()
        )));
    }
    Ok(cond)
}

struct IfParser {
    /// Remaining tokens, reversed (pop from the end).
    toks: Vec<Tok>,
    current: Tok,
    depth: usize,
}

impl IfParser {
    fn next(&mut self) -> Tok {
        self.toks.pop().unwrap_or(Tok::End)
    }

    fn expression(&mut self, rbp: u8) -> Result<Cond> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::syntax("The if expression is nested too deeply."));
        }
        let t = std::mem::replace(&mut self.current, Tok::End);
        self.current = self.next();
        let mut left = self.nud(t)?;
        while rbp < self.current.lbp() {
            let t = std::mem::replace(&mut self.current, Tok::End);
            self.current = self.next();
            left = self.led(t, left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    fn nud(&mut self, t: Tok) -> Result<Cond> {
        match t {
            Tok::Literal(_, cond) => Ok(cond),
            Tok::Op("not") => Ok(Cond::Not(Box::new(self.expression(8)?))),
            Tok::Op(op) => Err(Error::syntax(format!(
                "Not expecting '{op}' in this position in if tag."
            ))),
            Tok::End => Err(Error::syntax("Unexpected end of expression in if tag.")),
        }
    }

    fn led(&mut self, t: Tok, left: Cond) -> Result<Cond> {
        let op = match t {
            Tok::Op(op) if op != "not" => op,
            other => {
                return Err(Error::syntax(format!(
                    "Not expecting '{}' as infix operator in if tag.",
                    other.display()
                )))
            }
        };
        let right = Box::new(self.expression(binding_power(op))?);
        let left = Box::new(left);
        Ok(match op {
            "or" => Cond::Or(left, right),
            "and" => Cond::And(left, right),
            _ => Cond::Compare(
                match op {
                    "in" => CompareOp::In,
                    "not in" => CompareOp::NotIn,
                    "is" => CompareOp::Is,
                    "is not" => CompareOp::IsNot,
                    "==" => CompareOp::Eq,
                    "!=" => CompareOp::Ne,
                    "<" => CompareOp::Lt,
                    "<=" => CompareOp::Le,
                    ">" => CompareOp::Gt,
                    _ => CompareOp::Ge,
                },
                left,
                right,
            ),
        })
    }
}
