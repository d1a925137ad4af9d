//! Host `simple_tag` / `inclusion_tag` calls, checked against the
//! function's signature with Django's `parse_bits` messages.
use std::sync::Arc;

use super::{take_asvar, token_kwargs};
use crate::ast::{CustomNode, FilterExpr, Kwarg, NodeKind};
use crate::env::{CustomTag, TagKind};
use crate::error::{Error, Result};
use crate::lexer::{split_contents, Token};
use crate::parser::Parser;

impl<'s> Parser<'s> {
    pub(crate) fn parse_custom(
        &mut self,
        name: &str,
        tag: Arc<dyn CustomTag>,
        token: Token<'s>,
    ) -> Result<NodeKind> {
        let mut bits = split_contents(token.contents);
        bits.remove(0);
        let asvar = if tag.kind() == TagKind::Simple {
            take_asvar(&mut bits, 2)
        } else {
            None
        };
        let (args, kwargs) = self.parse_bits(name, tag.as_ref(), &bits)?;
        Ok(NodeKind::Custom(Box::new(CustomNode {
            name: Arc::from(name),
            tag,
            args,
            kwargs,
            asvar,
        })))
    }

    fn parse_bits(
        &self,
        name: &str,
        tag: &dyn CustomTag,
        bits: &[String],
    ) -> Result<(Vec<FilterExpr>, Vec<Kwarg>)> {
        let sig = tag.signature();
        let mut args = Vec::new();
        let mut kwargs: Vec<Kwarg> = Vec::new();
        let mut unhandled: Vec<String> = sig.params.clone();
        let mut unhandled_kw: Vec<String> = sig
            .kwonly
            .iter()
            .filter(|k| !sig.kwonly_defaults.contains(k))
            .cloned()
            .collect();
        for bit in bits {
            let mut one = vec![bit.clone()];
            let kw = token_kwargs(self, &mut one, false)?;
            if let Some((param, value)) = kw.into_iter().next() {
                let p: &str = &param;
                if !sig.params.iter().any(|x| x == p)
                    && !sig.kwonly.iter().any(|x| x == p)
                    && !sig.varkw
                {
                    return Err(Error::syntax(format!(
                        "'{name}' received unexpected keyword argument '{p}'"
                    )));
                }
                if kwargs.iter().any(|(k, _)| &**k == p) {
                    return Err(Error::syntax(format!(
                        "'{name}' received multiple values for keyword argument '{p}'"
                    )));
                }
                if let Some(i) = unhandled.iter().position(|x| x == p) {
                    unhandled.remove(i);
                } else if let Some(i) = unhandled_kw.iter().position(|x| x == p) {
                    unhandled_kw.remove(i);
                }
                kwargs.push((param, value));
            } else {
                if !kwargs.is_empty() {
                    return Err(Error::syntax(format!(
                        "'{name}' received some positional argument(s) after some keyword argument(s)"
                    )));
                }
                args.push(self.compile_filter(bit)?);
                if unhandled.is_empty() {
                    if !sig.varargs {
                        return Err(Error::syntax(format!(
                            "'{name}' received too many positional arguments"
                        )));
                    }
                } else {
                    unhandled.remove(0);
                }
            }
        }
        if sig.defaults > 0 {
            let keep = unhandled.len().saturating_sub(sig.defaults);
            unhandled.truncate(keep);
        }
        if !unhandled.is_empty() || !unhandled_kw.is_empty() {
            let missing: Vec<String> = unhandled
                .iter()
                .chain(unhandled_kw.iter())
                .map(|p| format!("'{p}'"))
                .collect();
            return Err(Error::syntax(format!(
                "'{name}' did not receive value(s) for the argument(s): {}",
                missing.join(", ")
            )));
        }
        Ok((args, kwargs))
    }
}
