// A lock file beside a PGlite data directory: two processes on one directory corrupt it.
import { openSync, closeSync, writeSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take `<dir>.lock` exclusively; a stale lock (dead pid) is taken over. Returns the release function. */
export function lockDataDir(dir: string): () => void {
  const file = `${dir.replace(/\/+$/, '')}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(file);
        } catch {}
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && alive(pid)) {
        throw new Error(`Thư mục dữ liệu đang được tiến trình ${pid} dùng / data directory ${dir} is in use by process ${pid}`);
      }
      try {
        unlinkSync(file);
      } catch {}
    }
  }
  throw new Error(`cannot lock data directory ${dir}`);
}
