// The digest of a whole document's C14N 1.0 (without comments), computed with libxml2's own
// canonicalizer but without making it escape the large text nodes byte by byte in wasm (that loop
// was ~55% of verifying a 1 MB package: the bulk of a package is base64 table documents).
//
// C14N 1.0 writes a text node as its content with only & < > and CR escaped. A text node with
// none of those four bytes is therefore written exactly as stored (libxml2 keeps UTF-8). Before
// canonicalizing, each such large text node's content pointer is pointed at a one-byte marker
// "\x01" (a character XML 1.0 forbids, so it cannot come from the document); the hash sink then
// replaces the k-th marker in the output with the k-th node's original bytes, read straight from
// wasm memory. Pointers are restored before returning. If the output holds any other \x01 (an
// XML 1.1 document with &#1;), the result is thrown away and libxml2's plain pass is used.
// Pure: no I/O. Tested against libxml2's plain canonicalization on tricky inputs (digest.test.ts).
import { createHash } from 'node:crypto';
import { XmlDocument } from 'libxml2-wasm';
import { XmlTreeCommonStruct, allocCStringArray } from 'libxml2-wasm/lib/libxml2.mjs';

const ELEMENT = 1;
const TEXT = 3;
/** xmlNode.content: 8 bytes after the name pointer (+8) and doc/ns (wasm32 layout). */
const CONTENT = 40;
/** Text nodes shorter than this are left to libxml2 (the swap costs more than it saves). */
const MIN_FAST = 256;
const MARK = 0x01;

let heap: ArrayBuffer | null = null;
let probe: XmlDocument | null = null;
/** libxml2's wasm memory (re-read after the memory grew and the old buffer was detached). */
function memory(): ArrayBuffer {
  if (!heap || heap.byteLength === 0) {
    probe ??= XmlDocument.fromString('<a/>');
    probe.canonicalize(
      {
        write(b: Uint8Array): number {
          heap = b.buffer as ArrayBuffer;
          return b.byteLength;
        },
        close: () => true,
      },
      { mode: 0, withComments: false },
    );
  }
  return heap!;
}

let markerPtr = 0;
function marker(): number {
  if (!markerPtr) {
    const arr = allocCStringArray(['\x01']); // kept for the process's life
    markerPtr = new Int32Array(memory())[arr >> 2];
  }
  return markerPtr;
}

interface Swap {
  node: number;
  content: number;
  length: number;
}

/** Large text nodes (not CDATA) whose content needs no escaping, in document order. */
function collect(root: number, out: Swap[]): void {
  const mem = Buffer.from(memory());
  // Pre-order, as C14N writes: children of an element are visited before its next sibling.
  const visit = (el: number, depth: number) => {
    if (depth > 512) throw new Error('too deep');
    for (let c = XmlTreeCommonStruct.children(el); c; c = XmlTreeCommonStruct.next(c)) {
      const t = XmlTreeCommonStruct.type(c);
      if (t === ELEMENT) visit(c, depth + 1);
      else if (t === TEXT) {
        const p = mem.readUInt32LE(c + CONTENT);
        if (!p) continue;
        const end = mem.indexOf(0, p);
        if (end - p < MIN_FAST) continue;
        const s = mem.subarray(p, end);
        if (s.indexOf(0x26) >= 0 || s.indexOf(0x3c) >= 0 || s.indexOf(0x3e) >= 0 || s.indexOf(0x0d) >= 0 || s.indexOf(MARK) >= 0) continue;
        out.push({ node: c, content: p, length: end - p });
      }
    }
  };
  visit(root, 0);
}

function plainDigest(doc: XmlDocument, alg: string): Buffer {
  const h = createHash(alg);
  doc.canonicalize({ write: (b: Uint8Array) => (h.update(b), b.byteLength), close: () => true }, { mode: 0, withComments: false });
  return h.digest();
}

/**
 * The digest (alg: 'sha256' | 'sha1') of the document's C14N 1.0 without comments, equal to
 * hashing libxml2's canonicalization of it. `rootPtr` is the document's root element pointer.
 */
export function c14nDigest(doc: XmlDocument, rootPtr: number, alg: string): Buffer {
  const swaps: Swap[] = [];
  collect(rootPtr, swaps);
  if (!swaps.length) return plainDigest(doc, alg);
  const mark = marker();
  const h = createHash(alg);
  let k = 0;
  let stray = false;
  let i32 = new Int32Array(memory());
  for (const s of swaps) i32[(s.node + CONTENT) >> 2] = mark;
  try {
    doc.canonicalize(
      {
        write(b: Uint8Array): number {
          if (stray) return b.byteLength;
          let from = 0;
          for (let m = b.indexOf(MARK); m >= 0; m = b.indexOf(MARK, m + 1)) {
            if (k >= swaps.length) {
              stray = true;
              return b.byteLength;
            }
            if (m > from) h.update(b.subarray(from, m));
            const s = swaps[k++];
            h.update(new Uint8Array(b.buffer, s.content, s.length));
            from = m + 1;
          }
          if (from < b.byteLength) h.update(b.subarray(from));
          return b.byteLength;
        },
        close: () => true,
      },
      { mode: 0, withComments: false },
    );
  } finally {
    i32 = new Int32Array(memory());
    for (const s of swaps) i32[(s.node + CONTENT) >> 2] = s.content;
  }
  if (stray || k !== swaps.length) return plainDigest(doc, alg);
  return h.digest();
}
