// Test aid: run `ssk serve` as a child process (several gateways on one database, crash tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const main = join(import.meta.dirname, '..', 'cli', 'main.ts');

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
}

export async function spawnServe(o: { env?: Record<string, string | undefined>; args?: string[]; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, SSK_GATEWAY_MODULES: 'gateway', ...o.env })) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--quiet', ...(o.args ?? [])], {
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ssk serve did not start: ${stderr}`));
    }, o.timeoutMs ?? 90_000);
    child.on('message', (m: any) => {
      if (m?.ready) {
        clearTimeout(timer);
        resolve(m.url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ssk serve exited (${code}): ${stderr}`));
    });
  });
  child.disconnect();
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
