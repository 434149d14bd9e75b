// The watched folder: a file is taken once its size and mtime have not changed for stableMs (the
// HIS may still be writing it). Hidden and temporary names (.tmp, .part, .partial, ~) are ignored.
// Taking = store durably + validate; then the original moves to processed/ or rejected/ (with a
// report beside it). Nothing is deleted. After a crash the same file is taken again: storing is
// idempotent by SHA-256.
import { readdirSync, statSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/index.ts';
import { storeFile, processFile, writeRejected, type IntakeReport } from './intake.ts';
import { moveInto, type Folders } from './spool.ts';
import type { ConnectorConfig } from './config.ts';

const TEMP = /(^\.|\.tmp$|\.part$|\.partial$|~$|\.crdownload$)/i;

export class Watcher {
  #db: Db;
  #cfg: ConnectorConfig;
  #f: Folders;
  #seen = new Map<string, { size: number; mtime: number; since: number }>();
  #timer?: NodeJS.Timeout;
  #fsw?: FSWatcher;
  #busy: Promise<void> = Promise.resolve();
  #stopped = false;
  #pending = false;
  #onStored: (r: IntakeReport) => void;
  #onError: (e: unknown) => void;
  constructor(db: Db, cfg: ConnectorConfig, f: Folders, onStored: (r: IntakeReport) => void, onError: (e: unknown) => void) {
    this.#db = db;
    this.#cfg = cfg;
    this.#f = f;
    this.#onStored = onStored;
    this.#onError = onError;
  }
  start() {
    const tick = () => {
      if (this.#stopped) return;
      this.scan().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, this.#cfg.pollMs);
      });
    };
    tick();
    try {
      this.#fsw = watch(this.#f.inbox, () => void this.scan());
      this.#fsw.on('error', () => {});
    } catch {
      /* polling is enough */
    }
  }
  /** One pass over the folder (serialized). */
  scan(): Promise<void> {
    // Bursts of change events coalesce into one pending pass.
    if (this.#pending) return this.#busy;
    this.#pending = true;
    const run = async () => {
      this.#pending = false;
      if (this.#stopped) return;
      let names: string[];
      try {
        names = readdirSync(this.#f.inbox);
      } catch (e) {
        this.#onError(e);
        return;
      }
      const now = Date.now();
      const present = new Set(names);
      for (const k of this.#seen.keys()) if (!present.has(k)) this.#seen.delete(k);
      const ready: { path: string; name: string }[] = [];
      for (const name of names.sort()) {
        if (this.#stopped) return;
        if (TEMP.test(name)) continue;
        const path = join(this.#f.inbox, name);
        let st;
        try {
          st = statSync(path);
        } catch {
          continue;
        }
        if (!st.isFile()) continue;
        const prev = this.#seen.get(name);
        if (!prev || prev.size !== st.size || prev.mtime !== st.mtimeMs) {
          this.#seen.set(name, { size: st.size, mtime: st.mtimeMs, since: now });
          if (this.#cfg.stableMs > 0) continue;
        } else if (now - prev.since < this.#cfg.stableMs) continue;
        ready.push({ path, name });
      }
      // Files found together are taken together: their spool writes and rows are group-committed.
      for (let i = 0; i < ready.length && !this.#stopped; i += 64) {
        await Promise.all(
          ready.slice(i, i + 64).map(async ({ path, name }) => {
            try {
              await this.take(path, name);
              this.#seen.delete(name);
            } catch (e) {
              this.#onError(e);
            }
          }),
        );
      }
    };
    this.#busy = this.#busy.then(run, run);
    return this.#busy;
  }
  async take(path: string, name: string): Promise<IntakeReport> {
    const bytes = readFileSync(path);
    const s = await storeFile(this.#db, this.#f, bytes, name, 'folder');
    const report = await processFile(this.#db, this.#cfg, s.fileId);
    if (report.state === 'rejected') {
      const moved = moveInto(path, this.#f.rejected, name);
      writeRejected(this.#f, report, moved);
    } else {
      moveInto(path, this.#f.processed, name);
    }
    this.#onStored(report);
    return report;
  }
  async stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#fsw?.close();
    await this.#busy.catch(() => {});
  }
}
