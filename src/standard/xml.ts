// The one door to the XML parser (libxml2-wasm). Everything in the project that parses XML goes
// through here, so limits and the no-DTD rule hold everywhere. Pure: no I/O.
import { XmlDocument, ParseOption } from 'libxml2-wasm';
import { isUtf8 } from 'node:buffer';
import { defineErrors, ProblemError } from '../errors/index.ts';

export const XML_ERRORS = defineErrors({
  XML_TOO_LARGE: { status: 413, rule: 'size ≤ {limit} bytes', vi: 'Tài liệu XML vượt quá {limit} byte', en: 'XML document exceeds {limit} bytes' },
  XML_DTD_FORBIDDEN: { rule: 'no DOCTYPE or ENTITY', vi: 'Không chấp nhận DOCTYPE/ENTITY trong XML', en: 'DOCTYPE and ENTITY declarations are not accepted' },
  XML_NOT_WELL_FORMED: { rule: 'well-formed XML 1.0', vi: 'XML không đúng cú pháp: {detail}', en: 'XML is not well-formed: {detail}' },
  XML_BAD_ENCODING: { rule: 'UTF-8', vi: 'XML phải mã hóa UTF-8 hợp lệ', en: 'XML must be valid UTF-8' },
});

export interface XmlLimits {
  /** Hard byte cap before parsing. */
  maxBytes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 64 * 1024 * 1024 };


const LT = 0x3c;
const BANG = 0x21;

/**
 * True when the bytes hold a DOCTYPE or ENTITY declaration anywhere (byte scan, no decode): every
 * "<!" must open a comment ("<!--") or a CDATA section ("<![CDATA["); anything else is refused.
 */
export function hasDtd(bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = buf.indexOf(BANG);
  while (i >= 0) {
    if (i > 0 && buf[i - 1] === LT) {
      const next = buf[i + 1];
      if (next !== 0x2d /* - */ && next !== 0x5b /* [ */) return true;
      if (next === 0x5b && buf.toString('latin1', i + 1, i + 8) !== '[CDATA[') return true;
    }
    i = buf.indexOf(BANG, i + 1);
  }
  return false;
}

/** Check UTF-8 validity without decoding. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

const OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NOERROR | ParseOption.XML_PARSE_NOWARNING;

/**
 * Parse bytes into a libxml2 document. The caller must dispose() it (use `using` or try/finally).
 * Refuses oversize input, DTDs/entities and invalid UTF-8 before the parser sees the bytes.
 * `path` names the input in errors (e.g. "hoso[0].XML1").
 */
export function parseXml(bytes: Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS, path = ''): XmlDocument {
  if (bytes.byteLength > limits.maxBytes) throw ProblemError.of(XML_ERRORS.XML_TOO_LARGE, path, { limit: limits.maxBytes });
  if (hasDtd(bytes)) throw ProblemError.of(XML_ERRORS.XML_DTD_FORBIDDEN, path);
  if (!isValidUtf8(bytes)) throw ProblemError.of(XML_ERRORS.XML_BAD_ENCODING, path);
  try {
    return XmlDocument.fromBuffer(bytes, { option: OPTIONS });
  } catch (e) {
    const detail = e instanceof Error ? e.message.split('\n')[0].slice(0, 200) : 'parse error';
    throw ProblemError.of(XML_ERRORS.XML_NOT_WELL_FORMED, path, { detail });
  }
}

export { XmlDocument };
export { XmlElement, XmlText, XmlCData } from 'libxml2-wasm';
export type { XmlNode } from 'libxml2-wasm';

// ---------------------------------------------------------------------------------------------
// Fast read-only walking of a parsed tree by node pointer. The object API above allocates a
// wrapper and crosses into wasm for every property; reading a table of hundreds of fields that
// way dominated validation time. These helpers read libxml2's node structs directly (same
// accessors the library uses internally). Valid only while the document is not disposed.
import { XmlTreeCommonStruct, xmlNodeGetContent } from 'libxml2-wasm/lib/libxml2.mjs';

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

/** Pointer of the document's root element. */
export function rootPtr(doc: XmlDocument): number {
  return (doc.root as unknown as { _nodePtr: number })._nodePtr;
}

export function firstElementPtr(ptr: number): number {
  let c = XmlTreeCommonStruct.children(ptr);
  while (c && XmlTreeCommonStruct.type(c) !== ELEMENT) c = XmlTreeCommonStruct.next(c);
  return c;
}

export function nextElementPtr(ptr: number): number {
  let c = XmlTreeCommonStruct.next(ptr);
  while (c && XmlTreeCommonStruct.type(c) !== ELEMENT) c = XmlTreeCommonStruct.next(c);
  return c;
}

export function namePtr(ptr: number): string {
  return XmlTreeCommonStruct.name_(ptr);
}

/**
 * A name reader that caches by the name's address: libxml2 interns element names in the document's
 * dictionary, so equal names share one address and are decoded once per document. Make one per
 * document (addresses are reused after the document is freed).
 */
export function nameReader(): (ptr: number) => string {
  const cache = new Map<number, string>();
  return (ptr: number) => {
    // xmlNode.name is the pointer at +8; `children` reads the pointer at +12, hence ptr - 4.
    const addr = XmlTreeCommonStruct.children(ptr - 4);
    let n = cache.get(addr);
    if (n === undefined) {
      n = XmlTreeCommonStruct.name_(ptr);
      cache.set(addr, n);
    }
    return n;
  };
}

/** The text content of an element (text and CDATA of all descendants). */
export function textPtr(ptr: number): string {
  const c = XmlTreeCommonStruct.children(ptr);
  if (!c) return '';
  const t = XmlTreeCommonStruct.type(c);
  // One text or CDATA child: read its content pointer (xmlNode.content, 8 bytes after the name
  // pointer's slot at +32) without the copy xmlNodeGetContent makes.
  if ((t === TEXT || t === CDATA) && !XmlTreeCommonStruct.next(c)) return XmlTreeCommonStruct.name_(c + 32);
  return xmlNodeGetContent(ptr);
}

export function hasElementChildPtr(ptr: number): boolean {
  return firstElementPtr(ptr) !== 0;
}
