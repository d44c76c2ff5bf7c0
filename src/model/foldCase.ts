/**
 * Azure Resource Manager and Azure Policy compare names and strings with .NET's ordinal ignore-case
 * comparison (`StringComparison.OrdinalIgnoreCase`): two texts are the same when each UTF-16 code unit
 * has the same simple uppercase mapping, except that U+0131 (ı) and U+017F (ſ) are kept as they are
 * ("Disable Turkish I behavior on Ordinal operations", dotnet/runtime's pal_casing.c), and only a few
 * scripts outside the Basic Multilingual Plane are mapped at all (OrdinalCasing.Icu.cs).
 *
 * JavaScript's `toLowerCase` folds more than that: the Kelvin sign K (U+212A) lowers to an ASCII k,
 * the Ångström sign and the Ohm sign to å and ω, and İ to two characters. A template that spells a
 * property `KeySource` would then be read as `keySource` here while the resource provider and Azure
 * Policy do not see that property at all. It folds less in places too (a final ς and σ, µ and μ, are
 * one letter to .NET). `foldCase` gives the key .NET's comparison implies: equal keys for exactly
 * the texts ARM takes as equal, and for ASCII text the same as `toLowerCase`, so lower-case constants
 * compare as before.
 */

const NON_ASCII = /[\u0080-\uffff]/;

/** The key two texts share when ARM and Azure Policy compare them as equal, ignoring case. */
export function foldCase(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  let folded = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      folded += unit >= 0x41 && unit <= 0x5a ? String.fromCharCode(unit + 0x20) : text[i];
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      folded += String.fromCodePoint(astralUpper(text.codePointAt(i)!));
      i++;
    } else {
      folded += String.fromCharCode(simpleUpper(unit));
    }
  }
  return folded;
}

/**
 * Whether `text` folds to `folded` (a key `foldCase` gave), as `foldCase(text) === folded` says, without
 * building the folded text where it need not be built. `foldCase` keeps a text's length and folds an ASCII
 * code unit to its ASCII lower case wherever it stands, so ASCII units are compared one by one as they
 * come; only a text with a unit past ASCII is folded whole.
 */
export function foldsTo(text: string, folded: string): boolean {
  const length = text.length;
  if (length !== folded.length) return false;
  for (let i = 0; i < length; i++) {
    let unit = text.charCodeAt(i);
    if (unit >= 0x80) return foldCase(text) === folded;
    if (unit <= 0x5a && unit >= 0x41) unit += 0x20;
    if (unit !== folded.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether two texts are equal as ARM compares them, ignoring case. */
export function equalIgnoringCase(a: string, b: string): boolean {
  if (a === b) return true;
  const length = a.length;
  if (length !== b.length) return false;
  // ASCII code units pair off as they come (see foldsTo); a unit past ASCII on either side folds both whole.
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 0x80 || y >= 0x80) return foldCase(a) === foldCase(b);
    if (x <= 0x5a && x >= 0x41) x += 0x20;
    if (y <= 0x5a && y >= 0x41) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** The simple uppercase mapping of a BMP code unit, as .NET's ordinal casing table holds it. */
function simpleUpper(unit: number): number {
  if (unit === 0x0131 || unit === 0x017f || (unit >= 0xd800 && unit <= 0xdfff)) return unit;
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length === 1) {
    const mapped = upper.charCodeAt(0);
    // Nothing but ı and ſ (kept above) has an ASCII uppercase; lower it as ASCII is, should one appear.
    return mapped >= 0x41 && mapped <= 0x5a ? mapped + 0x20 : mapped;
  }
  // `toUpperCase` gives the full mapping (SpecialCasing.txt); where that is longer than one character the
  // simple mapping is the character itself, but for the Greek letters with a subscript iota, whose simple
  // uppercase is the letter with a prosgegrammeni.
  if (unit >= 0x1f80 && unit <= 0x1faf) return (unit & 0x0f) < 8 ? unit + 8 : unit;
  if (unit === 0x1fb3 || unit === 0x1fc3 || unit === 0x1ff3) return unit + 9;
  return unit;
}

/** The small letters outside the BMP that .NET's ordinal casing maps to capitals, with the distance to them. */
const ASTRAL_SMALL: readonly (readonly [number, number, number])[] = [
  [0x10428, 0x1044f, 0x28], // Deseret
  [0x104d8, 0x104fb, 0x28], // Osage
  [0x10cc0, 0x10cf2, 0x40], // Old Hungarian
  [0x118c0, 0x118df, 0x20], // Warang Citi
  [0x16e60, 0x16e7f, 0x20], // Medefaidrin
  [0x1e922, 0x1e943, 0x22] // Adlam
];

function astralUpper(codePoint: number): number {
  for (const [first, last, distance] of ASTRAL_SMALL)
    if (codePoint >= first && codePoint <= last) return codePoint - distance;
  return codePoint;
}
