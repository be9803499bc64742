// XML 1.0 allows only these characters in a document (its Char production): tab, the line ends, and
// the rest of Unicode but U+FFFE, U+FFFF and surrogates that do not make a pair. One U+0001 in a page
// makes a feed that no reader parses.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** The text without the characters XML 1.0 does not allow. */
export function xmlChars(text: string): string {
  return text.replace(NOT_XML, '');
}

/** Text for an XML element or attribute: disallowed characters out, then the five that need escaping. */
export function xmlText(text: string): string {
  return xmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
