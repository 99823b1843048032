//! Text folding for comparisons a person expects: "zoe" finds "Zoë",
//! "lukasz" finds "Łukasz", "MÜLLER" finds "Müller".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lowercases `text` and strips accents: canonical decomposition without the
/// combining marks, plus the Latin letters that do not decompose.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Zoë"), "zoe");
        assert_eq!(fold("ŁUKASZ Wiśniewski"), "lukasz wisniewski");
        assert_eq!(fold("Søren Æbelø"), "soren aebelo");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Nguyễn Thị Hương"), "nguyen thi huong");
    }

    #[test]
    fn scripts_without_case_pass_through() {
        assert_eq!(fold("王芳"), "王芳");
        assert_eq!(fold("Дмитрий"), "дмитрий");
    }
}
