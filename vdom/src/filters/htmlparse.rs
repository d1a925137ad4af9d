//! A port of Python 3.11's `html.parser.HTMLParser` (and the parts of
//! `_markupbase` it calls), with the two subclasses Django builds on it:
//! `MLStripper` (`strip_tags`, the `striptags` filter) and
//! `TruncateHTMLParser` (`Truncator.chars/words(html=True)`, the
//! `truncatechars_html` / `truncatewords_html` filters). The parser's
//! quirks decide the output, so the port follows the Python line by line;
//! positions are character indexes as in Python.
use std::collections::VecDeque;

use unicode_normalization::UnicodeNormalization;

use super::entities::{HTML5, INVALID_CHARREFS, INVALID_CODEPOINTS};
use super::text::{add_truncation_text, py_isspace, truncate_len};
use crate::error::{Error, Result};
use crate::escape::escape;
use crate::host::Host;

/// Why parsing stopped early.
enum Stop {
    /// `TruncationCompleted`.
    Truncated,
    /// An exception Python would raise (`AssertionError`).
    Fail(Error),
}

/// The callbacks of `HTMLParser` that Django's subclasses override.
trait Handler {
    fn data(&mut self, data: &str, parser_raw_len: usize) -> Result<(), Stop>;
    fn starttag(&mut self, _tag: &str, _text: &str) {}
    fn startendtag(&mut self, tag: &str, text: &str) {
        self.starttag(tag, text);
        self.endtag(tag);
    }
    fn endtag(&mut self, _tag: &str) {}
    fn charref(&mut self, _name: &str) {}
    fn entityref(&mut self, _name: &str) {}
}

struct Parser {
    raw: Vec<char>,
    convert_charrefs: bool,
    cdata_elem: Option<String>,
    /// Characters fed in total (`len(self.rawdata)` while one feed runs).
    fed_len: usize,
}

fn s(chars: &[char]) -> String {
    chars.iter().collect()
}

fn is_space(c: char) -> bool {
    py_isspace(c)
}

impl Parser {
    fn new(text: &str, convert_charrefs: bool) -> Self {
        let raw: Vec<char> = text.chars().collect();
        let fed_len = raw.len();
        Parser {
            raw,
            convert_charrefs,
            cdata_elem: None,
            fed_len,
        }
    }

    fn starts(&self, i: usize, pat: &str) -> bool {
        (i..)
            .zip(pat.chars())
            .all(|(k, c)| self.raw.get(k) == Some(&c))
    }

    fn find(&self, c: char, from: usize) -> Option<usize> {
        (from..self.raw.len()).find(|&k| self.raw[k] == c)
    }

    /// `interesting.search(rawdata, i)`: `[&<]`, or in CDATA mode the
    /// element's end tag `</\s*name\s*>` (case-insensitive).
    fn interesting(&self, i: usize) -> Option<usize> {
        match &self.cdata_elem {
            None => (i..self.raw.len()).find(|&k| matches!(self.raw[k], '&' | '<')),
            Some(elem) => (i..self.raw.len()).find(|&k| self.cdata_end_at(k, elem).is_some()),
        }
    }

    fn cdata_end_at(&self, k: usize, elem: &str) -> Option<usize> {
        if !self.starts(k, "</") {
            return None;
        }
        let mut p = k + 2;
        while p < self.raw.len() && is_space(self.raw[p]) {
            p += 1;
        }
        for c in elem.chars() {
            let r = *self.raw.get(p)?;
            if r.to_lowercase().ne(c.to_lowercase()) {
                return None;
            }
            p += 1;
        }
        while p < self.raw.len() && is_space(self.raw[p]) {
            p += 1;
        }
        (self.raw.get(p) == Some(&'>')).then_some(p + 1)
    }

    fn emit_data<H: Handler>(&self, h: &mut H, text: &[char]) -> Result<(), Stop> {
        let text = s(text);
        if self.convert_charrefs && self.cdata_elem.is_none() {
            h.data(&unescape(&text), self.fed_len)
        } else {
            h.data(&text, self.fed_len)
        }
    }

    /// `HTMLParser.goahead(end)`.
    fn goahead<H: Handler>(&mut self, h: &mut H, end: bool) -> Result<(), Stop> {
        let n = self.raw.len();
        let mut i = 0;
        while i < n {
            let j;
            if self.convert_charrefs && self.cdata_elem.is_none() {
                match self.find('<', i) {
                    Some(p) => j = p,
                    None => {
                        let start = i.max(n.saturating_sub(34));
                        let amppos = (start..n).rev().find(|&k| self.raw[k] == '&');
                        if let Some(a) = amppos {
                            if !self.raw[a..].iter().any(|c| is_space(*c) || *c == ';') {
                                break; // wait till we get all the text
                            }
                        }
                        j = n;
                    }
                }
            } else {
                match self.interesting(i) {
                    Some(p) => j = p,
                    None => {
                        if self.cdata_elem.is_some() {
                            break;
                        }
                        j = n;
                    }
                }
            }
            if i < j {
                let chunk = self.raw[i..j].to_vec();
                self.emit_data(h, &chunk)?;
            }
            i = j;
            if i == n {
                break;
            }
            if self.raw[i] == '<' {
                let k = if self.raw.get(i + 1).is_some_and(char::is_ascii_alphabetic) {
                    self.parse_starttag(h, i)?
                } else if self.starts(i, "</") {
                    self.parse_endtag(h, i)?
                } else if self.starts(i, "<!--") {
                    self.parse_comment(i)
                } else if self.starts(i, "<?") {
                    self.find('>', i + 2).map_or(-1, |p| p as isize + 1)
                } else if self.starts(i, "<!") {
                    self.parse_html_declaration(i).map_err(Stop::Fail)?
                } else if i + 1 < n {
                    h.data("<", self.fed_len)?;
                    (i + 1) as isize
                } else {
                    break;
                };
                let k = if k < 0 {
                    if !end {
                        break;
                    }
                    let k = match self.find('>', i + 1) {
                        Some(p) => p + 1,
                        None => self.find('<', i + 1).unwrap_or(i + 1),
                    };
                    let chunk = self.raw[i..k].to_vec();
                    self.emit_data(h, &chunk)?;
                    k
                } else {
                    k as usize
                };
                i = k;
            } else if self.starts(i, "&#") {
                match self.charref_match(i) {
                    Some(mend) => {
                        h.charref(&s(&self.raw[i + 2..mend - 1]));
                        let mut k = mend;
                        if self.raw[k - 1] != ';' {
                            k -= 1;
                        }
                        i = k;
                        continue;
                    }
                    None => {
                        if self.raw[i..].contains(&';') {
                            h.data("&#", self.fed_len)?;
                            i += 2;
                        }
                        break;
                    }
                }
            } else if self.raw[i] == '&' {
                if let Some((name_end, mend)) = self.entityref_match(i) {
                    h.entityref(&s(&self.raw[i + 1..name_end]));
                    let mut k = mend;
                    if self.raw[k - 1] != ';' {
                        k -= 1;
                    }
                    i = k;
                    continue;
                }
                let incomplete = self
                    .raw
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == '#');
                if incomplete {
                    if end && i + 2 == n {
                        i += 1;
                    }
                    break;
                } else if i + 1 < n {
                    h.data("&", self.fed_len)?;
                    i += 1;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if end && i < n && self.cdata_elem.is_none() {
            let chunk = self.raw[i..n].to_vec();
            self.emit_data(h, &chunk)?;
            i = n;
        }
        self.raw.drain(..i);
        Ok(())
    }

    /// `charref.match`: `&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]`, the
    /// match end.
    fn charref_match(&self, i: usize) -> Option<usize> {
        let n = self.raw.len();
        let mut p = i + 2;
        let digits_start = p;
        while p < n && self.raw[p].is_ascii_digit() {
            p += 1;
        }
        if p == digits_start {
            if !matches!(self.raw.get(p), Some('x' | 'X')) {
                return None;
            }
            p += 1;
            let hex_start = p;
            while p < n && self.raw[p].is_ascii_hexdigit() {
                p += 1;
            }
            if p == hex_start {
                return None;
            }
        }
        match self.raw.get(p) {
            Some(c) if !c.is_ascii_hexdigit() => Some(p + 1),
            _ => None,
        }
    }

    /// `entityref.match`: `&([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9]`, as
    /// (name end, match end), with the regex's backtracking.
    fn entityref_match(&self, i: usize) -> Option<(usize, usize)> {
        let n = self.raw.len();
        let p = i + 1;
        if !self.raw.get(p).is_some_and(char::is_ascii_alphabetic) {
            return None;
        }
        let mut q = p + 1;
        while q < n && (self.raw[q].is_ascii_alphanumeric() || matches!(self.raw[q], '-' | '.')) {
            q += 1;
        }
        (p + 1..=q)
            .rev()
            .find(|&e| e < n && !self.raw[e].is_ascii_alphanumeric())
            .map(|e| (e, e + 1))
    }

    /// `tagfind_tolerant.match(rawdata, i)`:
    /// `([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|/(?!>))*`.
    fn tagfind(&self, i: usize) -> Option<(String, usize)> {
        let n = self.raw.len();
        if !self.raw.get(i).is_some_and(char::is_ascii_alphabetic) {
            return None;
        }
        let mut p = i + 1;
        while p < n
            && !matches!(
                self.raw[p],
                '\t' | '\n' | '\r' | '\u{c}' | ' ' | '/' | '>' | '\0'
            )
        {
            p += 1;
        }
        let name = s(&self.raw[i..p]);
        Some((name, self.skip_attr_sep(p)))
    }

    /// `(?:\s|/(?!>))*`.
    fn skip_attr_sep(&self, mut p: usize) -> usize {
        let n = self.raw.len();
        while p < n
            && (is_space(self.raw[p]) || (self.raw[p] == '/' && self.raw.get(p + 1) != Some(&'>')))
        {
            p += 1;
        }
        p
    }

    fn skip_space(&self, mut p: usize) -> usize {
        while p < self.raw.len() && is_space(self.raw[p]) {
            p += 1;
        }
        p
    }

    /// An attribute name (with its look-behind) at `q`: its end.
    fn attr_name(&self, q: usize) -> Option<usize> {
        let n = self.raw.len();
        if q == 0 || q >= n {
            return None;
        }
        let before = self.raw[q - 1];
        if !(before == '\'' || before == '"' || before == '/' || is_space(before)) {
            return None;
        }
        let c = self.raw[q];
        if is_space(c) || c == '/' || c == '>' {
            return None;
        }
        let mut r = q + 1;
        while r < n && !(is_space(self.raw[r]) || matches!(self.raw[r], '/' | '=' | '>')) {
            r += 1;
        }
        Some(r)
    }

    /// `\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*)` at `t`: its end.
    fn attr_value(&self, t: usize) -> Option<usize> {
        let n = self.raw.len();
        let mut t = self.skip_space(t);
        if self.raw.get(t) != Some(&'=') {
            return None;
        }
        while t < n && self.raw[t] == '=' {
            t += 1;
        }
        t = self.skip_space(t);
        match self.raw.get(t) {
            Some(&q @ ('\'' | '"')) => self.find(q, t + 1).map(|e| e + 1),
            _ => {
                let mut u = t;
                while u < n && !(self.raw[u] == '>' || is_space(self.raw[u])) {
                    u += 1;
                }
                Some(u)
            }
        }
    }

    /// `locatestarttagend_tolerant.match(rawdata, i).end()`.
    fn locate_starttag_end(&self, i: usize) -> usize {
        let n = self.raw.len();
        let mut p = i + 2;
        while p < n
            && !matches!(
                self.raw[p],
                '\t' | '\n' | '\r' | '\u{c}' | ' ' | '/' | '>' | '\0'
            )
        {
            p += 1;
        }
        let mut q = p;
        while q < n && (is_space(self.raw[q]) || self.raw[q] == '/') {
            q += 1;
        }
        while let Some(mut r) = self.attr_name(q) {
            if let Some(v) = self.attr_value(r) {
                r = self.skip_space(v);
            }
            q = self.skip_attr_sep(r);
        }
        self.skip_space(q)
    }

    /// `check_for_whole_start_tag`.
    fn check_for_whole_start_tag(&self, i: usize) -> isize {
        let j = self.locate_starttag_end(i);
        match self.raw.get(j) {
            Some('>') => (j + 1) as isize,
            Some('/') if self.starts(j, "/>") => (j + 2) as isize,
            Some('/') => -1,
            None => -1,
            Some(c) if c.is_ascii_alphabetic() || *c == '=' || *c == '/' => -1,
            Some(_) => {
                if j > i {
                    j as isize
                } else {
                    (i + 1) as isize
                }
            }
        }
    }

    fn parse_starttag<H: Handler>(&mut self, h: &mut H, i: usize) -> Result<isize, Stop> {
        let endpos = self.check_for_whole_start_tag(i);
        if endpos < 0 {
            return Ok(endpos);
        }
        let endpos = endpos as usize;
        let text = s(&self.raw[i..endpos]);
        let Some((name, mut k)) = self.tagfind(i + 1) else {
            return Err(Stop::Fail(Error::render(
                "unexpected call to parse_starttag()",
            )));
        };
        let tag = name.to_lowercase();
        while k < endpos {
            let Some(mut r) = self.attr_name(k) else {
                break;
            };
            if let Some(v) = self.attr_value(r) {
                r = v;
            }
            k = self.skip_attr_sep(r);
        }
        let end = s(&self.raw[k.min(endpos)..endpos]);
        let end = super::text::py_strip(&end);
        if end != ">" && end != "/>" {
            h.data(&text, self.fed_len)?;
            return Ok(endpos as isize);
        }
        if end.ends_with("/>") {
            h.startendtag(&tag, &text);
        } else {
            h.starttag(&tag, &text);
            if tag == "script" || tag == "style" {
                self.cdata_elem = Some(tag);
            }
        }
        Ok(endpos as isize)
    }

    /// `endtagfind.match`: `</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>`.
    fn endtagfind(&self, i: usize) -> Option<(String, usize)> {
        let n = self.raw.len();
        let mut p = self.skip_space(i + 2);
        if !self.raw.get(p).is_some_and(char::is_ascii_alphabetic) {
            return None;
        }
        let start = p;
        p += 1;
        while p < n
            && (self.raw[p].is_ascii_alphanumeric() || matches!(self.raw[p], '-' | '.' | ':' | '_'))
        {
            p += 1;
        }
        let name = s(&self.raw[start..p]);
        let p = self.skip_space(p);
        (self.raw.get(p) == Some(&'>')).then_some((name, p + 1))
    }

    fn parse_endtag<H: Handler>(&mut self, h: &mut H, i: usize) -> Result<isize, Stop> {
        let Some(gt) = self.find('>', i + 1) else {
            return Ok(-1);
        };
        let gtpos = gt + 1;
        let Some((name, _)) = self.endtagfind(i) else {
            if self.cdata_elem.is_some() {
                h.data(&s(&self.raw[i..gtpos]), self.fed_len)?;
                return Ok(gtpos as isize);
            }
            let Some((tagname, nend)) = self.tagfind(i + 2) else {
                if self.starts(i, "</>") {
                    return Ok((i + 3) as isize);
                }
                return Ok(self.parse_bogus_comment(i));
            };
            let tagname = tagname.to_lowercase();
            let gtpos = self.find('>', nend).map_or(-1, |p| p as isize);
            h.endtag(&tagname);
            return Ok(gtpos + 1);
        };
        let elem = name.to_lowercase();
        if let Some(cdata) = &self.cdata_elem {
            if &elem != cdata {
                h.data(&s(&self.raw[i..gtpos]), self.fed_len)?;
                return Ok(gtpos as isize);
            }
        }
        h.endtag(&elem);
        self.cdata_elem = None;
        Ok(gtpos as isize)
    }

    /// `_markupbase.parse_comment`: ends at `--\s*>`.
    fn parse_comment(&self, i: usize) -> isize {
        let n = self.raw.len();
        let mut k = i + 4;
        while k + 1 < n {
            if self.raw[k] == '-' && self.raw[k + 1] == '-' {
                let p = self.skip_space(k + 2);
                if self.raw.get(p) == Some(&'>') {
                    return (p + 1) as isize;
                }
            }
            k += 1;
        }
        -1
    }

    fn parse_bogus_comment(&self, i: usize) -> isize {
        self.find('>', i + 2).map_or(-1, |p| p as isize + 1)
    }

    fn parse_html_declaration(&self, i: usize) -> Result<isize> {
        if self.starts(i, "<!--") {
            return Ok(self.parse_comment(i));
        }
        if self.starts(i, "<![") {
            return self.parse_marked_section(i);
        }
        let head: String = self.raw[i..(i + 9).min(self.raw.len())].iter().collect();
        if head.to_lowercase() == "<!doctype" {
            return Ok(self.find('>', i + 9).map_or(-1, |p| p as isize + 1));
        }
        Ok(self.parse_bogus_comment(i))
    }

    /// `_markupbase.parse_marked_section`.
    fn parse_marked_section(&self, i: usize) -> Result<isize> {
        let n = self.raw.len();
        let start = i + 3;
        if start == n {
            return Ok(-1);
        }
        if !self.raw[start].is_ascii_alphabetic() {
            return Err(Error::render(format!(
                "expected name token at {}",
                crate::value::python_str_repr(&s(&self.raw[i..(i + 20).min(n)]))
            )));
        }
        let mut p = start + 1;
        while p < n
            && (self.raw[p].is_ascii_alphanumeric() || matches!(self.raw[p], '-' | '_' | '.'))
        {
            p += 1;
        }
        let name = s(&self.raw[start..p]).to_lowercase();
        if self.skip_space(p) == n {
            return Ok(-1);
        }
        let double = match name.as_str() {
            "temp" | "cdata" | "ignore" | "include" | "rcdata" => true,
            "if" | "else" | "endif" => false,
            _ => {
                return Err(Error::render(format!(
                    "unknown status keyword {} in marked section",
                    crate::value::python_str_repr(&s(&self.raw[start..p]))
                )))
            }
        };
        // `]\s*]\s*>` or `]\s*>`, searched from i + 3.
        for k in start..n {
            if self.raw[k] != ']' {
                continue;
            }
            let mut p = self.skip_space(k + 1);
            if double {
                if self.raw.get(p) != Some(&']') {
                    continue;
                }
                p = self.skip_space(p + 1);
            }
            if self.raw.get(p) == Some(&'>') {
                return Ok((p + 1) as isize);
            }
        }
        Ok(-1)
    }
}

/// Python's `html.unescape`.
pub(crate) fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < n {
        if chars[i] != '&' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let p = i + 1;
        // #[0-9]+;?  |  #[xX][0-9a-fA-F]+;?
        if chars.get(p) == Some(&'#') {
            let (hex, start) = match chars.get(p + 1) {
                Some('x' | 'X') => (true, p + 2),
                _ => (false, p + 1),
            };
            let mut q = start;
            while q < n
                && (if hex {
                    chars[q].is_ascii_hexdigit()
                } else {
                    chars[q].is_ascii_digit()
                })
            {
                q += 1;
            }
            if q > start {
                let digits: String = chars[start..q].iter().collect();
                let num =
                    u32::from_str_radix(&digits, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
                if let Some((_, c)) = INVALID_CHARREFS.iter().find(|(k, _)| *k == num) {
                    out.push(*c);
                } else if (0xD800..=0xDFFF).contains(&num) || num > 0x10FFFF {
                    out.push('\u{FFFD}');
                } else if INVALID_CODEPOINTS.contains(&num) {
                } else if let Some(c) = char::from_u32(num) {
                    out.push(c);
                }
                i = if chars.get(q) == Some(&';') { q + 1 } else { q };
                continue;
            }
            // `#` is excluded from names: no match.
            out.push('&');
            i += 1;
            continue;
        }
        // [^\t\n\f <&#;]{1,32};?
        let mut q = p;
        while q < n
            && q - p < 32
            && !matches!(
                chars[q],
                '\t' | '\n' | '\u{c}' | ' ' | '<' | '&' | '#' | ';'
            )
        {
            q += 1;
        }
        if q == p {
            out.push('&');
            i += 1;
            continue;
        }
        if chars.get(q) == Some(&';') {
            q += 1;
        }
        let name: String = chars[p..q].iter().collect();
        out.push_str(&replace_named(&name));
        i = q;
    }
    out
}

fn entity(name: &str) -> Option<&'static str> {
    HTML5
        .binary_search_by(|(k, _)| k.cmp(&name))
        .ok()
        .map(|i| HTML5[i].1)
}

fn replace_named(name: &str) -> String {
    if let Some(v) = entity(name) {
        return v.to_owned();
    }
    let chars: Vec<char> = name.chars().collect();
    for x in (2..chars.len()).rev() {
        let prefix: String = chars[..x].iter().collect();
        if let Some(v) = entity(&prefix) {
            let rest: String = chars[x..].iter().collect();
            return format!("{v}{rest}");
        }
    }
    format!("&{name}")
}

// ------------------------------------------------------------- strip_tags

struct Stripper {
    fed: String,
}

impl Handler for Stripper {
    fn data(&mut self, data: &str, _: usize) -> Result<(), Stop> {
        self.fed.push_str(data);
        Ok(())
    }
    fn charref(&mut self, name: &str) {
        self.fed.push_str(&format!("&#{name};"));
    }
    fn entityref(&mut self, name: &str) {
        self.fed.push_str(&format!("&{name};"));
    }
}

fn strip_once(value: &str) -> Result<String> {
    let mut parser = Parser::new(value, false);
    let mut h = Stripper { fed: String::new() };
    for end in [false, true] {
        match parser.goahead(&mut h, end) {
            Ok(()) => {}
            Err(Stop::Fail(e)) => return Err(e),
            Err(Stop::Truncated) => break,
        }
    }
    Ok(h.fed)
}

const MAX_STRIP_TAGS_DEPTH: usize = 50;

fn suspicious() -> Error {
    Error::render("SuspiciousOperation: strip_tags nesting too deep")
}

/// `django.utils.html.strip_tags`.
pub(crate) fn strip_tags(text: &str) -> Result<String> {
    // long_open_tag_without_closing_re: <[a-zA-Z][^>]{1000,}
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i + 1 < chars.len() {
        if chars[i] == '<' && chars[i + 1].is_ascii_alphabetic() {
            let mut e = i + 2;
            while e < chars.len() && chars[e] != '>' {
                e += 1;
            }
            if e - (i + 2) >= 1000 {
                if chars[i..e].iter().filter(|c| **c == '<').count() >= MAX_STRIP_TAGS_DEPTH {
                    return Err(suspicious());
                }
                i = e;
                continue;
            }
        }
        i += 1;
    }
    let mut value = text.to_owned();
    let mut depth = 0;
    while value.contains('<') && value.contains('>') {
        if depth >= MAX_STRIP_TAGS_DEPTH {
            return Err(suspicious());
        }
        let new_value = strip_once(&value)?;
        if value.matches('<').count() == new_value.matches('<').count() {
            break;
        }
        value = new_value;
        depth += 1;
    }
    Ok(value)
}

// ----------------------------------------------------------- truncation

const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "frame", "spacer",
];

struct Truncate<'h> {
    host: &'h dyn Host,
    tags: VecDeque<String>,
    output: String,
    output_len: usize,
    remaining: usize,
    replacement: Option<&'static str>,
    words: bool,
    /// For characters: the requested length and what was seen so far.
    length: usize,
    processed_chars: usize,
}

impl Truncate<'_> {
    fn push(&mut self, text: &str) {
        self.output.push_str(text);
        self.output_len += text.chars().count();
    }
}

/// `re.split(r"(?<=\S)\s+(?=\S)", data)`.
fn split_words(data: &str) -> Vec<String> {
    let chars: Vec<char> = data.chars().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        if is_space(chars[i]) && i > 0 && !is_space(chars[i - 1]) {
            let mut e = i;
            while e < chars.len() && is_space(chars[e]) {
                e += 1;
            }
            if e < chars.len() {
                pieces.push(chars[start..i].iter().collect());
                start = e;
            }
            i = e;
        } else {
            i += 1;
        }
    }
    pieces.push(chars[start..].iter().collect());
    pieces
}

impl Handler for Truncate<'_> {
    fn data(&mut self, data: &str, raw_len: usize) -> Result<(), Stop> {
        let (data_len, output) = if self.words {
            let pieces = split_words(data);
            let keep = pieces.len().min(self.remaining);
            (pieces.len(), escape(&pieces[..keep].join(" ")))
        } else {
            let len = data.chars().count();
            self.processed_chars += len;
            if self.processed_chars == self.length && self.output_len + len == raw_len {
                self.push(data);
                return Err(Stop::Truncated);
            }
            let kept: String = data.chars().take(self.remaining).collect();
            (len, escape(&kept))
        };
        if self.remaining < data_len {
            self.remaining = 0;
            let text = add_truncation_text(self.host, &output, self.replacement);
            self.push(&text);
            return Err(Stop::Truncated);
        }
        self.remaining -= data_len;
        self.push(&output);
        Ok(())
    }

    fn starttag(&mut self, tag: &str, text: &str) {
        self.push(text);
        if !VOID_ELEMENTS.contains(&tag) {
            self.tags.push_front(tag.to_owned());
        }
    }

    fn startendtag(&mut self, tag: &str, text: &str) {
        self.starttag(tag, text);
        if !VOID_ELEMENTS.contains(&tag) {
            self.endtag(tag);
        }
    }

    fn endtag(&mut self, tag: &str) {
        if !VOID_ELEMENTS.contains(&tag) {
            self.push(&format!("</{tag}>"));
            if self.tags.front().map(String::as_str) == Some(tag) {
                self.tags.pop_front();
            }
        }
    }
}

/// `Truncator(text).chars(n, html=True)` (`words == false`) or
/// `Truncator(text).words(n, html=True, truncate=" …")`.
pub(crate) fn truncate_html(host: &dyn Host, text: &str, n: i64, words: bool) -> Result<String> {
    if n <= 0 {
        return Ok(String::new());
    }
    let length = n as usize;
    let (text, replacement, remaining) = if words {
        (text.to_owned(), Some(" …"), length)
    } else {
        let text: String = text.nfc().collect();
        (text, None, truncate_len(host, length, None))
    };
    let mut parser = Parser::new(&text, true);
    let mut h = Truncate {
        host,
        tags: VecDeque::new(),
        output: String::new(),
        output_len: 0,
        remaining,
        replacement,
        words,
        length,
        processed_chars: 0,
    };
    match parser.goahead(&mut h, false) {
        Ok(()) => {}
        Err(Stop::Truncated) => {
            let closing: String = h.tags.iter().map(|t| format!("</{t}>")).collect();
            h.output.push_str(&closing);
        }
        Err(Stop::Fail(e)) => return Err(e),
    }
    // `feed` resets the parser afterwards: buffered text is dropped.
    Ok(h.output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::DefaultHost;

    // Cases from Django's tests/utils_tests/test_html.py and test_text.py.
    #[test]
    fn strips_tags() {
        for (input, want) in [
            (
                "<p>See: &#39;&eacute; is an apostrophe followed by e acute</p>",
                "See: &#39;&eacute; is an apostrophe followed by e acute",
            ),
            ("<adf>a", "a"),
            ("</adf>a", "a"),
            ("<asdf><asdf>e", "e"),
            ("hi, <f x", "hi, <f x"),
            ("234<235, right?", "234<235, right?"),
            ("a4<a5 right?", "a4<a5 right?"),
            ("b7>b2!", "b7>b2!"),
            ("</fe", "</fe"),
            ("<x>b<y>", "b"),
            ("a<p onclick=\"alert('<test>')\">b</p>c", "abc"),
            ("a<p a >b</p>c", "abc"),
            ("d<a:b c:d>e</p>f", "def"),
            (
                "<strong>foo</strong><a href=\"http://example.com\">bar</a>",
                "foobar",
            ),
            ("&gotcha&#;<>", "&gotcha&#;<>"),
            ("<sc<!-- -->ript>test<<!-- -->/script>", "ript>test"),
            ("<script>alert()</script>&h", "alert()h"),
            ("><!", "><!"),
            ("X<<<<br>br>br>br>X", "XX"),
        ] {
            assert_eq!(strip_tags(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn unescapes_like_python() {
        assert_eq!(unescape("&amp;&lt;&#39;&#x41;&notit;&amp"), "&<'A¬it;&");
        assert_eq!(unescape("&#0;&#128;&#xD800;"), "\u{FFFD}€\u{FFFD}");
        assert_eq!(unescape("& &# &zzz;"), "& &# &zzz;");
    }

    #[test]
    fn truncates_html() {
        let h = DefaultHost;
        let t = "<p id=\"par\"><strong><em>The quick brown fox jumped over the lazy dog.</em></strong></p>";
        assert_eq!(
            truncate_html(&h, t, 4, true).unwrap(),
            "<p id=\"par\"><strong><em>The quick brown fox …</em></strong></p>"
        );
        assert_eq!(
            truncate_html(&h, t, 10, false).unwrap(),
            "<p id=\"par\"><strong><em>The quick…</em></strong></p>"
        );
    }
}
