// The fast whole-document digest must equal hashing libxml2's own C14N 1.0 output on tricky
// inputs, leave the document unchanged, and produce signatures xmlsec1 accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XmlDocument, XmlElement } from 'libxml2-wasm';
import { c14nDigest } from './digest.ts';
import { rootPtr } from '../standard/xml.ts';
import { signXml, verifySignedXml } from './index.ts';
import { testCa } from './testing.ts';

/** `c` repeated to at least n characters (exactly n for one character; never cut inside `c`). */
const big = (c: string, n = 600) => c.repeat(Math.ceil(n / c.length));
const B64 = Buffer.from(big('Bảng kê chi phí <khám> & "thuốc"\n', 3000)).toString('base64');

/** Inputs: [name, body of the root]; each is also tried with a prolog and trailer outside the root. */
const CASES: [string, string][] = [
  ['base64 text', `<A>${B64}</A><B>${B64.slice(0, 300)}</B>`],
  ['entities in big text (not fast, neighbours fast)', `<A>${big('x &amp; y &lt; z &gt; ')}</A><B>${big('plain ')}</B>`],
  ['char refs CR and tab', `<A>${big('dòng&#13;\n')}</A><B>${big('a&#9;b\r\n')}</B>`],
  ['literal CRLF normalized', `<A>${big('line\r\n')}</A>`],
  ['comments split text', `<A>${big('ab')}<!-- c -->${big('cd')}<!---->${big('ef', 100)}</A>`],
  ['CDATA big', `<A><![CDATA[${big('<x> & ]] ')}]]>${big('t')}</A>`],
  ['namespaces and attribute order', `<p:A xmlns:z="urn:z" xmlns:p="urn:p" xmlns="urn:d" z:b="1" a="2" p:a="3" c='&quot;&#10;&#9;'>${big('ns')}<B xmlns="" xmlns:p="urn:p">${big('q')}</B></p:A>`],
  ['multibyte UTF-8', `<A>${big('Nguyễn Văn Ân 𝄞 ')}</A>`],
  ['lengths at the threshold', `<A>${big('a', 255)}</A><B>${big('b', 256)}</B><C>${big('c', 257)}</C>`],
  ['deep nesting with mixed content', `<A>${big('1')}<B x="1">${big('2')}<C/>${big('3')}</B>${big('4')}</A>`],
  ['empty and whitespace', `<A></A><B> </B><C>${big(' \n\t')}</C>`],
  ['PI inside', `<A>${big('p')}<?pi data?>${big('q')}</A>`],
];

function plain(doc: XmlDocument, alg = 'sha256'): Buffer {
  return createHash(alg).update(doc.canonicalizeToString({ mode: 0, withComments: false })).digest();
}

test('c14nDigest equals the hash of libxml2 C14N 1.0 on tricky inputs, and leaves the document unchanged', () => {
  for (const [name, body] of CASES) {
    for (const [wrapName, xml] of [
      ['bare', `<R>${body}</R>`],
      ['prolog', `<?xml version="1.0" encoding="utf-8"?>\r\n<!-- before -->\n<?pi before?>\n\n<R xml:lang="vi">${body}</R>\n<!-- after -->\n<?pi after?>\n`],
    ]) {
      const doc = XmlDocument.fromString(xml);
      try {
        const before = doc.canonicalizeToString({ mode: 0, withComments: true });
        for (const alg of ['sha256', 'sha1']) assert.deepEqual(c14nDigest(doc, rootPtr(doc), alg), plain(doc, alg), `${name} (${wrapName}, ${alg})`);
        assert.equal(doc.canonicalizeToString({ mode: 0, withComments: true }), before, `${name} (${wrapName}) unchanged`);
      } finally {
        doc.dispose();
      }
    }
  }
});

test('a stray U+0001 in the output (impossible from a parsed XML 1.0 document) falls back to the plain pass', () => {
  // libxml2 refuses XML 1.1 and the character reference &#1;, so the stray character is built with the DOM.
  assert.throws(() => XmlDocument.fromString(`<?xml version="1.1"?><R>x&#1;y</R>`));
  const doc = XmlDocument.fromString(`<R><A>${big('a')}</A><B/><C>${big('c')}</C></R>`);
  try {
    (doc.get('/R/B') as XmlElement).addText('x\u0001y');
    const want = plain(doc);
    assert.deepEqual(c14nDigest(doc, rootPtr(doc), 'sha256'), want);
    assert.ok(doc.canonicalizeToString({ mode: 0, withComments: false }).includes('x\u0001y'));
  } finally {
    doc.dispose();
  }
});

test('signatures over tricky documents verify here and with xmlsec1', async () => {
  const ca = testCa();
  const f = ca.facility('79001');
  const dir = mkdtempSync(join(tmpdir(), 'ssk-c14n-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    let i = 0;
    for (const [name, body] of CASES) {
      const unsigned = Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\n<!-- c -->\n<GIAMDINHHS xmlns:x="urn:x">\r\n${body}<CHUKYDONVI/></GIAMDINHHS>\n`);
      const signed = await signXml(unsigned, f.signer);
      const r = verifySignedXml(signed, { trustAnchors: [ca.certPem] });
      assert.equal(r.ok, true, `${name}: ${r.ok ? '' : r.code}`);
      const file = join(dir, `s${i++}.xml`);
      writeFileSync(file, signed);
      assert.doesNotThrow(() => execFileSync('xmlsec1', ['--verify', '--trusted-pem', join(dir, 'ca.pem'), '--enabled-reference-uris', 'empty', file], { stdio: 'pipe' }), name);
      // One changed byte inside a fast-path text node breaks the digest.
      const at = signed.indexOf(B64.slice(100, 140));
      if (at > 0) {
        const t = Buffer.from(signed);
        t[at] = t[at] === 0x41 ? 0x42 : 0x41;
        const bad = verifySignedXml(t, { trustAnchors: [ca.certPem] });
        assert.equal(bad.ok ? 'OK' : bad.code, 'SIG_DIGEST_MISMATCH', name);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
