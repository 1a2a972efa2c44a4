// scripts/serve.mjs (npm start) when its port is taken: like Vite, it moves
// to the next free port and prints the URL it serves on, instead of dying
// on an unhandled EADDRINUSE; --strict-port makes a taken port an error.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { test, expect } from '@playwright/test';

/** A port nothing listens on, and the one after it free too (asked of the OS, then released). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const next = await new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(false)).listen(port + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (next && port < 65000) return port;
  }
}

function serve(args: string[]): { child: ChildProcess; output: Promise<{ code: number | null; stdout: string; stderr: string }>; line: (re: RegExp) => Promise<string> } {
  const child = spawn(process.execPath, ['scripts/serve.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: [RegExp, (s: string) => void][] = [];
  child.stdout!.on('data', (d) => {
    stdout += d;
    for (const [re, resolve] of waiters) {
      const m = re.exec(stdout);
      if (m) resolve(m[0]);
    }
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const line = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const m = re.exec(stdout);
      if (m) return resolve(m[0]);
      waiters.push([re, resolve]);
      setTimeout(() => reject(new Error(`no ${re} in: ${stdout} ${stderr}`)), 15_000);
    });
  return { child, output, line };
}

test('serve.mjs on a taken port serves on the next one and prints its URL; with --strict-port it exits 1 saying why', async () => {
  const port = await freePortPair();
  const blocker: Server = await new Promise((resolve) => {
    const s = createServer().listen(port, '127.0.0.1', () => resolve(s));
  });
  const moved = serve([`--port=${port}`]);
  try {
    expect(await moved.line(/serving http:\/\/localhost:\d+\//)).toBe(`serving http://localhost:${port + 1}/`);
    const health = await fetch(`http://localhost:${port + 1}/health`);
    expect(await health.text()).toBe('ok');
    const strict = await serve([`--port=${port}`, '--strict-port']).output;
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(`webgpu-gan: cannot serve: port ${port} is in use (--strict-port); pass another with --port=N\n`);
  } finally {
    moved.child.kill();
    await moved.output;
    blocker.close();
  }
  const out = (await moved.output).stdout;
  expect(out).toContain(`webgpu-gan: port ${port} is in use, trying ${port + 1}`);
});
