// Durable files: every input is copied into the spool (write to a temporary name, fsync, rename,
// fsync the folder) before it is acknowledged to the HIS; every signed package is spooled the same
// way before it is sent. Moves between folders never delete: a name that exists gets a suffix.
import { openSync, writeSync, fsyncSync, closeSync, renameSync, mkdirSync, existsSync, readFileSync, copyFileSync, unlinkSync } from 'node:fs';
import { join, basename, extname } from 'node:path';

export interface Folders {
  root: string;
  inbox: string;
  spoolIn: string;
  spoolOut: string;
  processed: string;
  rejected: string;
  db: string;
}

export function folders(dataDir: string, inbox?: string): Folders {
  const f: Folders = {
    root: dataDir,
    inbox: inbox ?? join(dataDir, 'inbox'),
    spoolIn: join(dataDir, 'spool', 'in'),
    spoolOut: join(dataDir, 'spool', 'out'),
    processed: join(dataDir, 'processed'),
    rejected: join(dataDir, 'rejected'),
    db: join(dataDir, 'db'),
  };
  for (const d of [f.inbox, f.spoolIn, f.spoolOut, f.processed, f.rejected]) mkdirSync(d, { recursive: true });
  return f;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some file systems cannot fsync a directory */
  }
}

/** Write bytes durably at dir/name (atomic: readers see the whole file or none). Existing file with the name is kept. */
export function writeDurable(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  if (existsSync(path)) return path;
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dir);
  return path;
}

/**
 * Group commit: write several files durably at once — each written to a temporary name and
 * fsynced, then all renamed and the folder fsynced once. Existing names are kept (same bytes).
 */
export function writeDurableGroup(dir: string, entries: { name: string; bytes: Uint8Array }[]): string[] {
  const paths = entries.map((e) => join(dir, e.name));
  const todo: { tmp: string; path: string }[] = [];
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const path = paths[i];
    if (seen.has(path) || existsSync(path)) return;
    seen.add(path);
    const tmp = join(dir, `.${e.name}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      let off = 0;
      while (off < e.bytes.byteLength) off += writeSync(fd, e.bytes, off, e.bytes.byteLength - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    todo.push({ tmp, path });
  });
  for (const t of todo) renameSync(t.tmp, t.path);
  if (todo.length) fsyncDir(dir);
  return paths;
}

/** A free name in dir for `name` (adds -1, -2 … before the extension). */
export function freeName(dir: string, name: string): string {
  if (!existsSync(join(dir, name))) return name;
  const ext = extname(name);
  const stem = basename(name, ext);
  for (let i = 1; ; i++) {
    const n = `${stem}-${i}${ext}`;
    if (!existsSync(join(dir, n))) return n;
  }
}

/** Move a file into dir (never overwriting); falls back to copy+fsync when across devices. Returns the new path. */
export function moveInto(src: string, dir: string, name = basename(src)): string {
  const dest = join(dir, freeName(dir, name));
  try {
    renameSync(src, dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileSync(src, dest);
    const fd = openSync(dest, 'r');
    fsyncSync(fd);
    closeSync(fd);
    unlinkSync(src);
  }
  fsyncDir(dir);
  return dest;
}

export function readSpool(path: string): Buffer {
  return readFileSync(path);
}
