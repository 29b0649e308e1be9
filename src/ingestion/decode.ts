import { FeedError } from './errors';

export type CharsetSource = 'bom' | 'header' | 'prolog' | 'default';

export interface DetectedCharset {
  charset: string;
  source: CharsetSource;
}

const PROLOG_ENCODING = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/;
/** The value may be quoted, with double quotes (RFC 9110) or, as some servers send it, single ones. */
const HEADER_CHARSET = /;\s*charset\s*=\s*["']?([^"';\s]+)["']?/i;

function bomCharset(body: Uint8Array): string | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return null;
}

export function charsetFromContentType(contentType: string | null): string | null {
  const match = contentType ? HEADER_CHARSET.exec(contentType) : null;
  return match?.[1] ? match[1].toLowerCase() : null;
}

export function charsetFromProlog(body: Uint8Array): string | null {
  // The declaration is ASCII by rule, so a byte-wise look at the head is enough.
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 512)).toString('latin1');
  const match = PROLOG_ENCODING.exec(head);
  return match?.[1] ? match[1].toLowerCase() : null;
}

/**
 * Header, then XML declaration, then UTF-8. A byte-order mark is checked before all of them:
 * it is unambiguous, and a UTF-16 body's declaration cannot even be read without knowing the
 * byte order (the same precedence the WHATWG encoding sniffing rules use).
 */
export function detectCharset(body: Uint8Array, contentType: string | null): DetectedCharset {
  const bom = bomCharset(body);
  if (bom) return { charset: bom, source: 'bom' };
  const header = charsetFromContentType(contentType);
  if (header) return { charset: header, source: 'header' };
  const prolog = charsetFromProlog(body);
  if (prolog) return { charset: prolog, source: 'prolog' };
  return { charset: 'utf-8', source: 'default' };
}

function decodeWith(charset: string, body: Uint8Array): string {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    // fatal: malformed bytes are reported as a 'decode' error instead of silently becoming U+FFFD.
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new FeedError('decode', `unsupported charset "${charset}"`);
  }
  try {
    return decoder.decode(body);
  } catch {
    throw new FeedError('decode', `body is not valid ${charset}`);
  }
}

/** Decodes a feed body to text without a leading BOM. */
export function decodeFeedBody(body: Uint8Array, contentType: string | null): string {
  const detected = detectCharset(body, contentType);
  let text: string;
  try {
    text = decodeWith(detected.charset, body);
  } catch (error) {
    // Servers often send a default "charset=utf-8" for files whose declaration knows better.
    const prolog = detected.source === 'header' ? charsetFromProlog(body) : null;
    if (!prolog || prolog === detected.charset) throw error;
    text = decodeWith(prolog, body);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
