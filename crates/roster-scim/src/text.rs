//! Text folding for comparisons a person expects: "zoe" finds "Zoë",
//! "lukasz" finds "Łukasz", "MÜLLER" finds "Müller".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Latin and Greek letters lose their accents when folded; in other scripts
/// a mark can make a different letter (Cyrillic й is not и), so it stays.
fn strips_marks(base: char) -> bool {
    matches!(base as u32, 0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF | 0x370..=0x3FF)
}

/// Lowercases `text` and strips accents from Latin and Greek letters:
/// canonical decomposition without their combining marks, plus the Latin
/// letters that do not decompose.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    let mut base = ' ';
    for c in text.nfd() {
        if is_combining_mark(c) {
            if !strips_marks(base) {
                out.push(c);
            }
            continue;
        }
        base = c;
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
    out.nfc().collect()
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
        assert_eq!(fold("Ελένη"), "ελενη");
    }
}
