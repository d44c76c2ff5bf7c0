/**
 * Text a pull request writes is not always well-formed: JSON can spell a lone surrogate (`"\ud800"`), and a
 * URI can hold `%ff`, which decodes to no character. JavaScript's URI functions throw on both (URIError),
 * which would end a run as an internal error; these never throw.
 */

/** A surrogate without its pair. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with every lone surrogate read as U+FFFD, as UTF-8 (the file system, a URI) reads it. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** Whether the text holds a lone surrogate. */
export function hasLoneSurrogate(text: string): boolean {
  return text.search(LONE_SURROGATE) >= 0;
}

/** `encodeURIComponent` of the text as UTF-8 reads it (a lone surrogate is U+FFFD). */
export function encodeUriComponent(text: string): string {
  return encodeURIComponent(wellFormed(text));
}

/** `encodeURI` of the text as UTF-8 reads it (a lone surrogate is U+FFFD). */
export function encodeUri(text: string): string {
  return encodeURI(wellFormed(text));
}

/**
 * `decodeURIComponent`, or the text as written where its escapes are not UTF-8 (`%ff`, `%e0%a4`): .NET's
 * Uri.UnescapeDataString, which ARM uses, leaves such a sequence as it is.
 */
export function decodeUriComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9a-f]{2})+/gi, run => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}
