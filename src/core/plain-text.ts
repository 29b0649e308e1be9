/**
 * Characters no stored or printed text keeps: C0 controls but tab, newline and carriage return (ESC and BEL
 * start terminal escape sequences), DEL, C1 controls, zero-width and bidirectional formatting marks (an override
 * makes "gpj.exe" read as "exe.jpg"), the Arabic letter mark and the byte-order mark.
 */
export const CONTROL_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/;
const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'g');
/** Tab, newline and carriage return too: printed on one line, they would break a column or fake a new line. */
const LINE_BREAKING = /[\t\n\r\u2028\u2029]/g;

/** The text without control and formatting characters; everything else stays as it was. */
export function stripControlCharacters(text: string): string {
  return CONTROL_CHARACTER.test(text) ? text.replace(CONTROL_CHARACTERS, '') : text;
}

/**
 * Text that entered from outside as plain text (archives, classify input), cleaned as feed text is: no control
 * or formatting characters, whitespace folded to single spaces, trimmed.
 */
export function cleanPlainText(text: string): string {
  return stripControlCharacters(text).replace(/\s+/g, ' ').trim();
}

/** One value for a terminal line or table cell: nothing that could move the cursor, recolour or reorder it. */
export function terminalText(text: string): string {
  return stripControlCharacters(text).replace(LINE_BREAKING, ' ');
}

/** Several lines for a terminal: each line as terminalText makes it, the line breaks kept. */
export function terminalLines(text: string): string {
  return text
    .split('\n')
    .map((line) => terminalText(line))
    .join('\n');
}

/**
 * JSON for a terminal or a script: every string value without control and formatting characters. JSON.stringify
 * escapes C0 controls but writes DEL, C1 controls and bidi overrides raw, and a terminal acts on those.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field) => (typeof field === 'string' ? stripControlCharacters(field) : field), 2);
}
