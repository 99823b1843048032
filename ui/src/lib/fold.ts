/**
 * Case- and accent-insensitive folding, the same rule as the Rust side's
 * `roster_scim::text::fold`: Latin and Greek letters lose their accents
 * ("zoe" finds "Zoë", "lukasz" finds "Łukasz"); other scripts keep their
 * marks, because there a mark can make a different letter (й is not и).
 */
const LETTERS_WITHOUT_DECOMPOSITION: Record<string, string> = {
  ł: 'l',
  Ł: 'l',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ß: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  þ: 'th',
  Þ: 'th',
  ı: 'i',
};

function stripsMarks(base: number): boolean {
  return (
    (base >= 0x41 && base <= 0x5a) ||
    (base >= 0x61 && base <= 0x7a) ||
    (base >= 0xc0 && base <= 0x24f) ||
    (base >= 0x1e00 && base <= 0x1eff) ||
    (base >= 0x370 && base <= 0x3ff)
  );
}

const COMBINING_MARK = /\p{M}/u;

export function fold(text: string): string {
  let out = '';
  let base = 0x20;
  for (const char of text.normalize('NFD')) {
    if (COMBINING_MARK.test(char)) {
      if (!stripsMarks(base)) out += char;
      continue;
    }
    base = char.codePointAt(0) ?? 0x20;
    out += LETTERS_WITHOUT_DECOMPOSITION[char] ?? char.toLowerCase();
  }
  return out.normalize('NFC');
}
