//! The values of comparisons: JSON strings with every escape, JSON numbers,
//! and `true`/`false`/`null` in any case.

use super::{quoted, Parser};
use crate::filter::{CompValue, FilterError};

const ESCAPE_LIST: &str = r#"\", \\, \/, \b, \f, \n, \r, \t or \uXXXX"#;

/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

impl Parser<'_> {
    pub(super) fn comp_value(&mut self, op_text: &str) -> Result<CompValue, FilterError> {
        self.skip_ws();
        let start = self.pos;
        let expected = format!(
            "expected a value after \"{op_text}\": a string in double quotes, a number, true, false or null"
        );
        match self.peek() {
            None => Err(self.error(start, format!("{expected}, but the filter ends there"))),
            Some(b'"') => self.string().map(CompValue::String),
            Some(b'\'') => Err(self.error(
                start,
                "strings go in double quotes, not single quotes, as in userName eq \"bjensen\"",
            )),
            Some(b'-' | b'0'..=b'9') => {
                let token = self.token(start);
                if !is_json_number(token) {
                    return Err(
                        self.error(start, format!("{} is not a valid number", quoted(token)))
                    );
                }
                let number = token
                    .parse::<serde_json::Number>()
                    .map_err(|_| self.error(start, format!("the number {token} is too large")))?;
                self.pos += token.len();
                Ok(CompValue::Number(number))
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let token = self.token(start);
                let value = match token.to_ascii_lowercase().as_str() {
                    "true" => CompValue::Bool(true),
                    "false" => CompValue::Bool(false),
                    "null" => CompValue::Null,
                    _ => {
                        let message = format!(
                            "text values go in double quotes: write \"{token}\" instead of {token}"
                        );
                        return Err(self.error(start, message));
                    }
                };
                self.pos += token.len();
                Ok(value)
            }
            Some(_) => Err(self.error(
                start,
                format!("{expected}, found {}", quoted(&self.snippet(start))),
            )),
        }
    }

    /// A JSON string literal starting at the current `"`.
    fn string(&mut self) -> Result<String, FilterError> {
        let open = self.pos;
        let bytes = self.bytes();
        let never_closed = |p: &Self| {
            p.error(
                bytes.len(),
                format!(
                    "the string that starts at character {} is never closed",
                    p.char_number(open)
                ),
            )
        };
        let mut out = String::new();
        let mut i = open + 1;
        loop {
            let run_start = i;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\\' {
                i += 1;
            }
            out.push_str(&self.text[run_start..i]);
            let Some(&b) = bytes.get(i) else {
                return Err(never_closed(self));
            };
            if b == b'"' {
                self.pos = i + 1;
                return Ok(out);
            }
            let escape = i;
            let simple = match bytes.get(i + 1) {
                None => return Err(never_closed(self)),
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    let (c, next) = self.unicode_escape(escape)?;
                    out.push(c);
                    i = next;
                    continue;
                }
                Some(_) => {
                    let c = self.text[escape + 1..].chars().next().unwrap_or(' ');
                    return Err(self.error(
                        escape,
                        format!(
                            "unknown escape \"\\{c}\" at character {} in a string; use {ESCAPE_LIST}",
                            self.char_number(escape)
                        ),
                    ));
                }
            };
            out.push(simple);
            i += 2;
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes().get(at..at + 4)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(&self.text[at..at + 4], 16).ok()
    }

    /// `\uXXXX` at `escape`, or a surrogate pair `\uD83D\uDE00`; returns the
    /// character and the offset after it.
    fn unicode_escape(&self, escape: usize) -> Result<(char, usize), FilterError> {
        let at = self.char_number(escape);
        let Some(unit) = self.hex4(escape + 2) else {
            return Err(self.error(
                escape,
                format!("\"\\u\" at character {at} must be followed by four hexadecimal digits"),
            ));
        };
        let written = &self.text[escape..escape + 6];
        match unit {
            0xD800..=0xDBFF => {
                let backslash_u = self.bytes().get(escape + 6..escape + 8) == Some(&b"\\u"[..]);
                let low = if backslash_u {
                    self.hex4(escape + 8)
                } else {
                    None
                };
                let low = low.filter(|low| (0xDC00..=0xDFFF).contains(low));
                let Some(low) = low else {
                    return Err(self.error(
                        escape,
                        format!(
                            "\"{written}\" at character {at} is the first half of a surrogate pair; the second half (\\uDC00 to \\uDFFF) must follow it"
                        ),
                    ));
                };
                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
                Ok((c, escape + 12))
            }
            0xDC00..=0xDFFF => Err(self.error(
                escape,
                format!(
                    "\"{written}\" at character {at} is the second half of a surrogate pair; the first half (\\uD800 to \\uDBFF) must come before it"
                ),
            )),
            _ => {
                let c = char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER);
                Ok((c, escape + 6))
            }
        }
    }
}
