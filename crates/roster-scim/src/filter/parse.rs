//! A hand-written recursive-descent parser for filters and paths.
//!
//! Precedence, lowest first: `or`, `and`, then `not (...)`, `(...)` and
//! single conditions. The parser recurses only into parentheses and
//! brackets, so [`MAX_NESTING`] bounds its stack; chains of `and`/`or` are
//! built in a loop, and [`MAX_TREE_DEPTH`] bounds the tree it returns, so
//! code that walks the tree recursively is safe too. Every step moves
//! forward through the text: parsing is linear in its length.

use super::{AttrPath, CompareOp, Filter, FilterError, PatchPath};

mod literal;

pub(super) const MAX_NESTING: usize = 64;
pub(super) const MAX_TREE_DEPTH: usize = 256;

const OPERATOR_LIST: &str = "eq, ne, co, sw, ew, gt, ge, lt, le or pr";

pub(super) fn filter(input: &str) -> Result<Filter, FilterError> {
    let mut p = Parser::new(input);
    p.skip_ws();
    if p.at_end() {
        return Err(p.error(
            p.pos,
            r#"the filter is empty; write a condition such as userName eq "bjensen""#,
        ));
    }
    let (filter, _) = p.or_expr()?;
    p.skip_ws();
    if !p.at_end() {
        return Err(p.trailing_error("the end of the filter"));
    }
    Ok(filter)
}

pub(super) fn attr_path(input: &str) -> Result<AttrPath, FilterError> {
    let mut p = Parser::new(input);
    p.skip_ws();
    if p.at_end() {
        return Err(p.error(p.pos, "the attribute path is empty"));
    }
    let path = p.path()?;
    if p.peek() == Some(b'[') {
        return Err(p.error(
            p.pos,
            format!("a value filter \"[...]\" is not allowed here; name the attribute only, as in {path} or {path}.value"),
        ));
    }
    p.skip_ws();
    if !p.at_end() {
        return Err(p.trailing_error(&format!("the attribute path \"{path}\"")));
    }
    Ok(path)
}

pub(super) fn patch_path(input: &str) -> Result<PatchPath, FilterError> {
    let mut p = Parser::new(input);
    p.skip_ws();
    if p.at_end() {
        return Err(p.error(p.pos, "the path is empty"));
    }
    let attr = p.path()?;
    let mut value_filter = None;
    let mut sub_attr = None;
    if p.peek() == Some(b'[') {
        let (inner, _) = p.value_filter(&attr)?;
        value_filter = Some(inner);
        if p.peek() == Some(b'.') {
            let at = p.pos + 1;
            let name = p.run(at, is_name_byte);
            if name.is_empty() {
                return Err(p.error(at, "expected a sub-attribute name after \"].\""));
            }
            p.check_name(name, at)?;
            p.pos = at + name.len();
            sub_attr = Some(name.to_string());
        }
    }
    p.skip_ws();
    if !p.at_end() {
        return Err(p.trailing_error("the path"));
    }
    Ok(PatchPath {
        attr,
        value_filter,
        sub_attr,
    })
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Characters of an attribute path, URN included.
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'$' | b'.' | b':')
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'$')
}

/// Characters that end a bare token such as a number or `true`.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"')
}

fn compare_op(word: &str) -> Option<CompareOp> {
    Some(match word.to_ascii_lowercase().as_str() {
        "eq" => CompareOp::Eq,
        "ne" => CompareOp::Ne,
        "co" => CompareOp::Co,
        "sw" => CompareOp::Sw,
        "ew" => CompareOp::Ew,
        "gt" => CompareOp::Gt,
        "ge" => CompareOp::Ge,
        "lt" => CompareOp::Lt,
        "le" => CompareOp::Le,
        _ => return None,
    })
}

fn is_operator(word: &str) -> bool {
    word.eq_ignore_ascii_case("pr") || compare_op(word).is_some()
}

/// Quotes text for a message, with single quotes when it holds a `"`.
fn quoted(text: &str) -> String {
    if text.contains('"') {
        format!("'{text}'")
    } else {
        format!("\"{text}\"")
    }
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next character to read; always on a char boundary.
    pos: usize,
    nesting: usize,
    /// Byte offset of the `[` of the value filter being read, if any.
    value_filter_open: Option<usize>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            pos: 0,
            nesting: 0,
            value_filter_open: None,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn skip_ws(&mut self) {
        self.pos = self.after_ws(self.pos);
    }

    /// The offset of the first non-whitespace byte at or after `from`.
    fn after_ws(&self, from: usize) -> usize {
        let bytes = self.bytes();
        let mut at = from;
        while at < bytes.len() && is_ws(bytes[at]) {
            at += 1;
        }
        at
    }

    /// The 1-based character number of a byte offset. Only errors call it,
    /// so counting from the start costs nothing on the happy path.
    fn char_number(&self, byte: usize) -> usize {
        self.text[..byte].chars().count() + 1
    }

    fn error(&self, byte: usize, message: impl Into<String>) -> FilterError {
        FilterError {
            message: message.into(),
            position: self.char_number(byte),
        }
    }

    /// The ASCII run of bytes accepted by `allowed`, starting at `from`.
    fn run(&self, from: usize, allowed: impl Fn(u8) -> bool) -> &'a str {
        let bytes = self.bytes();
        let mut end = from;
        while end < bytes.len() && allowed(bytes[end]) {
            end += 1;
        }
        &self.text[from..end]
    }

    /// The bare token at `from`: everything up to whitespace, a bracket, a
    /// parenthesis or a quote.
    fn token(&self, from: usize) -> &'a str {
        let rest = &self.text[from..];
        let end = rest.find(is_delimiter).unwrap_or(rest.len());
        &rest[..end]
    }

    /// The text at `from` for a message: a delimiter on its own, or up to
    /// the next whitespace, shortened when long.
    fn snippet(&self, from: usize) -> String {
        let rest = &self.text[from..];
        let mut chars = rest.chars();
        match chars.next() {
            None => String::new(),
            Some(c @ ('(' | ')' | '[' | ']')) => c.to_string(),
            Some(_) => {
                let word: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .take(25)
                    .collect();
                if word.chars().count() == 25 {
                    let mut short: String = word.chars().take(24).collect();
                    short.push('…');
                    short
                } else {
                    word
                }
            }
        }
    }

    fn unmatched_close(&self, at: usize) -> FilterError {
        let (close, open) = if self.bytes()[at] == b')' {
            (")", "(")
        } else {
            ("]", "[")
        };
        self.error(
            at,
            format!(
                "\"{close}\" at character {} has no matching \"{open}\"",
                self.char_number(at)
            ),
        )
    }

    /// What to say about text left over after `what` was read completely.
    fn trailing_error(&self, what: &str) -> FilterError {
        let at = self.pos;
        if matches!(self.peek(), Some(b')' | b']')) {
            return self.unmatched_close(at);
        }
        let mut message = format!("unexpected text {} after {what}", quoted(&self.snippet(at)));
        if what == "the end of the filter" && self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            message.push_str("; combine conditions with \"and\" or \"or\"");
        }
        self.error(at, message)
    }

    fn enter(&mut self, open: usize) -> Result<(), FilterError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.error(
                open,
                format!(
                    "the filter nests parentheses, \"not (...)\" and \"[...]\" more than {MAX_NESTING} levels deep"
                ),
            ));
        }
        Ok(())
    }

    fn deeper(&self, depth: usize, at: usize) -> Result<usize, FilterError> {
        if depth >= MAX_TREE_DEPTH {
            return Err(self.error(
                at,
                format!(
                    "the filter is too long: it chains or nests more than {MAX_TREE_DEPTH} \"and\", \"or\" and \"not\"; split it into smaller filters"
                ),
            ));
        }
        Ok(depth + 1)
    }

    /// Consumes the keyword `and`/`or` if it comes next; returns where it was.
    fn keyword(&mut self, keyword: &str) -> Option<usize> {
        self.skip_ws();
        let at = self.pos;
        let word = self.run(at, is_path_byte);
        if word.eq_ignore_ascii_case(keyword) {
            self.pos += word.len();
            Some(at)
        } else {
            None
        }
    }

    /// Checks that a condition follows the keyword that started at `at`.
    fn expect_operand(&mut self, at: usize, keyword_len: usize) -> Result<(), FilterError> {
        self.skip_ws();
        let keyword = &self.text[at..at + keyword_len];
        let lead = format!(
            "\"{keyword}\" at character {} must be followed by another condition",
            self.char_number(at)
        );
        match self.peek() {
            None => Err(self.error(self.pos, format!("{lead}, but the filter ends there"))),
            Some(b')' | b']') => Err(self.error(
                self.pos,
                format!("{lead}, found {}", quoted(&self.snippet(self.pos))),
            )),
            _ => Ok(()),
        }
    }

    fn or_expr(&mut self) -> Result<(Filter, usize), FilterError> {
        let (mut left, mut depth) = self.and_expr()?;
        while let Some(at) = self.keyword("or") {
            self.expect_operand(at, 2)?;
            let (right, right_depth) = self.and_expr()?;
            depth = self.deeper(depth.max(right_depth), at)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok((left, depth))
    }

    fn and_expr(&mut self) -> Result<(Filter, usize), FilterError> {
        let (mut left, mut depth) = self.unary()?;
        while let Some(at) = self.keyword("and") {
            self.expect_operand(at, 3)?;
            let (right, right_depth) = self.unary()?;
            depth = self.deeper(depth.max(right_depth), at)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok((left, depth))
    }

    fn unary(&mut self) -> Result<(Filter, usize), FilterError> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            None => Err(self.error(
                start,
                r#"expected a condition such as userName eq "bjensen", but the filter ends there"#,
            )),
            Some(b'(') => self.group(start),
            Some(b'"') => Err(self.error(
                start,
                r#"expected an attribute name, found a string; a condition reads like userName eq "bjensen""#,
            )),
            Some(b) if b.is_ascii_alphabetic() || b == b'$' => {
                let word = self.run(start, is_path_byte);
                if word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or") {
                    let after = start + word.len();
                    let next_word = self.run(self.after_ws(after), |b| b.is_ascii_alphanumeric());
                    let names_attribute =
                        self.bytes().get(after) == Some(&b'[') || is_operator(next_word);
                    if !names_attribute {
                        return Err(self.error(
                            start,
                            format!(
                                "\"{word}\" must join two conditions, as in title pr {word} userName pr, but no condition comes before it"
                            ),
                        ));
                    }
                }
                if word.eq_ignore_ascii_case("not") {
                    let after = start + word.len();
                    let next = self.after_ws(after);
                    if self.bytes().get(next) == Some(&b'(') {
                        let (inner, depth) = self.group(next)?;
                        let depth = self.deeper(depth, start)?;
                        return Ok((Filter::Not(Box::new(inner)), depth));
                    }
                    let next_word = self.run(next, |b| b.is_ascii_alphanumeric());
                    let names_attribute =
                        self.bytes().get(after) == Some(&b'[') || is_operator(next_word);
                    if !names_attribute {
                        return Err(self.error(
                            start,
                            "\"not\" must be followed by a condition in parentheses, as in not (title pr)",
                        ));
                    }
                }
                self.attr_expr()
            }
            Some(_) => Err(self.error(
                start,
                format!(
                    "expected a condition such as userName eq \"bjensen\", found {}",
                    quoted(&self.snippet(start))
                ),
            )),
        }
    }

    /// `"(" filter ")"` with `open` at the parenthesis.
    fn group(&mut self, open: usize) -> Result<(Filter, usize), FilterError> {
        self.enter(open)?;
        self.pos = open + 1;
        self.skip_ws();
        if self.peek() == Some(b')') {
            return Err(self.error(
                open,
                format!(
                    "the parentheses at character {} are empty; put a condition inside",
                    self.char_number(open)
                ),
            ));
        }
        let (inner, depth) = self.or_expr()?;
        self.skip_ws();
        match self.peek() {
            Some(b')') => {
                self.pos += 1;
                self.nesting -= 1;
                Ok((inner, depth))
            }
            None | Some(b']') => Err(self.error(
                self.pos,
                format!(
                    "\"(\" at character {} has no matching \")\"",
                    self.char_number(open)
                ),
            )),
            Some(_) => Err(self.error(
                self.pos,
                format!(
                    "unexpected text {} inside the parentheses opened at character {}; expected \"and\", \"or\" or \")\"",
                    quoted(&self.snippet(self.pos)),
                    self.char_number(open)
                ),
            )),
        }
    }

    /// `attrPath "[" valFilter "]"`, `attrPath "pr"` or `attrPath op value`.
    fn attr_expr(&mut self) -> Result<(Filter, usize), FilterError> {
        let start = self.pos;
        let path = self.path()?;
        if self.peek() == Some(b'[') {
            let (inner, depth) = self.value_filter(&path)?;
            if self.peek() == Some(b'.') {
                return Err(self.error(
                    self.pos,
                    "a sub-attribute after \"]\" (as in emails[type eq \"work\"].value) is only allowed in PATCH paths, not in filters",
                ));
            }
            let depth = self.deeper(depth, start)?;
            return Ok((Filter::ValuePath(path, Box::new(inner)), depth));
        }
        self.skip_ws();
        let op_start = self.pos;
        let word = self.run(op_start, |b| b.is_ascii_alphanumeric());
        let op_text = if word.is_empty() {
            let rest = &self.text[op_start..];
            let end = rest
                .find(|c: char| c.is_alphanumeric() || is_delimiter(c))
                .unwrap_or(rest.len());
            &rest[..end]
        } else {
            word
        };
        if op_text.is_empty() {
            return Err(self.error(
                op_start,
                format!("\"{path}\" must be followed by an operator: {OPERATOR_LIST}"),
            ));
        }
        if ["and", "or", "not"]
            .iter()
            .any(|k| op_text.eq_ignore_ascii_case(k))
        {
            return Err(self.error(
                op_start,
                format!(
                    "\"{path}\" must be followed by an operator before \"{op_text}\": {OPERATOR_LIST}"
                ),
            ));
        }
        self.pos = op_start + op_text.len();
        if op_text.eq_ignore_ascii_case("pr") {
            self.no_value_after_pr(op_text)?;
            return Ok((Filter::Present(path), 1));
        }
        let Some(op) = compare_op(op_text) else {
            return Err(self.error(
                op_start,
                format!("unknown operator {}; use {OPERATOR_LIST}", quoted(op_text)),
            ));
        };
        let value = self.comp_value(op_text)?;
        Ok((Filter::Compare(path, op, value), 1))
    }

    fn no_value_after_pr(&mut self, pr: &str) -> Result<(), FilterError> {
        self.skip_ws();
        let at = self.pos;
        let looks_like_value = match self.peek() {
            Some(b'"' | b'-' | b'0'..=b'9') => true,
            Some(b) if b.is_ascii_alphabetic() => {
                let word = self.token(at);
                ["true", "false", "null"]
                    .iter()
                    .any(|v| word.eq_ignore_ascii_case(v))
            }
            _ => false,
        };
        if looks_like_value {
            return Err(self.error(
                at,
                format!(
                    "\"{pr}\" (is present) takes no value; remove {}",
                    quoted(&self.snippet(at))
                ),
            ));
        }
        Ok(())
    }

    /// `[urn ":"] attr ["." subAttr]` at the current position.
    fn path(&mut self) -> Result<AttrPath, FilterError> {
        let start = self.pos;
        let word = self.run(start, is_path_byte);
        if word.is_empty() {
            return Err(self.error(
                start,
                format!(
                    "expected an attribute name such as userName, found {}",
                    quoted(&self.snippet(start))
                ),
            ));
        }
        let (urn, rest, rest_at) = match word.rfind(':') {
            Some(colon) => {
                let urn = &word[..colon];
                let valid_urn = urn.len() > 4
                    && urn[..4].eq_ignore_ascii_case("urn:")
                    && !urn.contains('$')
                    && urn.split(':').all(|segment| !segment.is_empty());
                if !valid_urn {
                    return Err(self.error(
                        start,
                        format!(
                            "\"{urn}\" is not a schema URN; a qualified attribute reads like urn:ietf:params:scim:schemas:core:2.0:User:userName"
                        ),
                    ));
                }
                (Some(urn.to_string()), &word[colon + 1..], start + colon + 1)
            }
            None => (None, word, start),
        };
        if rest.is_empty() {
            return Err(self.error(
                rest_at,
                format!("expected an attribute name after \"{word}\""),
            ));
        }
        let mut parts = rest.split('.');
        let attr = parts.next().unwrap_or_default();
        let sub_attr = parts.next();
        if parts.next().is_some() {
            return Err(self.error(
                rest_at,
                format!(
                    "\"{rest}\" has more than one \".\": a path names an attribute and at most one sub-attribute, as in name.familyName"
                ),
            ));
        }
        if attr.is_empty() {
            return Err(self.error(rest_at, "expected an attribute name before \".\""));
        }
        self.check_name(attr, rest_at)?;
        if let Some(sub) = sub_attr {
            let sub_at = rest_at + attr.len() + 1;
            if sub.is_empty() {
                return Err(self.error(
                    sub_at,
                    format!("expected a sub-attribute name after \"{attr}.\""),
                ));
            }
            self.check_name(sub, sub_at)?;
        }
        self.pos = start + word.len();
        Ok(AttrPath {
            urn,
            attr: attr.to_string(),
            sub_attr: sub_attr.map(str::to_string),
        })
    }

    /// ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_"), or `$ref`.
    fn check_name(&self, name: &str, at: usize) -> Result<(), FilterError> {
        let mut bytes = name.bytes();
        let valid = name.eq_ignore_ascii_case("$ref")
            || (bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
                && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        if valid {
            Ok(())
        } else {
            Err(self.error(
                at,
                format!(
                    "\"{name}\" is not a valid attribute name: names start with a letter and contain only letters, digits, \"-\" and \"_\""
                ),
            ))
        }
    }

    /// `"[" valFilter "]"` at the current `[`, after `path`.
    fn value_filter(&mut self, path: &AttrPath) -> Result<(Filter, usize), FilterError> {
        let open = self.pos;
        if let Some(outer) = self.value_filter_open {
            return Err(self.error(
                open,
                format!(
                    "a value filter cannot contain another one: the \"[\" at character {} is inside the \"[\" at character {}",
                    self.char_number(open),
                    self.char_number(outer)
                ),
            ));
        }
        if path.sub_attr.is_some() {
            let parent = AttrPath {
                sub_attr: None,
                ..path.clone()
            };
            return Err(self.error(
                open,
                format!(
                    "\"[\" must follow a multi-valued attribute, not a sub-attribute: write {parent}[...] instead of {path}[...]"
                ),
            ));
        }
        self.enter(open)?;
        self.value_filter_open = Some(open);
        self.pos = open + 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            return Err(self.error(
                open,
                format!(
                    "the brackets at character {} are empty; put a condition inside, as in emails[type eq \"work\"]",
                    self.char_number(open)
                ),
            ));
        }
        let (inner, depth) = self.or_expr()?;
        self.skip_ws();
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                self.value_filter_open = None;
                self.nesting -= 1;
                Ok((inner, depth))
            }
            None => Err(self.error(
                self.pos,
                format!(
                    "\"[\" at character {} has no matching \"]\"",
                    self.char_number(open)
                ),
            )),
            Some(b')') => Err(self.unmatched_close(self.pos)),
            Some(_) => Err(self.error(
                self.pos,
                format!(
                    "unexpected text {} inside the brackets opened at character {}; expected \"and\", \"or\" or \"]\"",
                    quoted(&self.snippet(self.pos)),
                    self.char_number(open)
                ),
            )),
        }
    }
}
