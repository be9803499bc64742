// Plain text as people and the model write it, made safe to store and to show on one line. Linear
// string operations only: a pattern such as `\s*\n\s*` backtracks quadratically on a long run of
// spaces (a 100 kB caption of spaces kept the bot busy for 13.7 s).

// Control characters other than newline and tab have no place in a story and can break rendering (one
// U+0001 makes an Atom feed not well-formed XML); bidirectional overrides and zero-width characters
// can disguise what a text says.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text a person typed: Windows and old Mac line ends as newlines, control and bidi characters out, trimmed. */
export function cleanTypedText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim();
}

/** The lines of a text joined by single spaces, each trimmed, blank ones left out. */
export function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}
