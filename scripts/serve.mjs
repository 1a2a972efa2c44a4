// Static file server for the demo and the browser tests: the repo root over
// http://localhost (navigator.gpu needs a secure context; localhost is one).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const wanted = Number(process.argv.find((a) => a.startsWith('--port='))?.slice(7) ?? process.env.PORT ?? 8080);
// --strict-port: fail when the port is taken instead of moving on (Vite's --strictPort).
const strict = process.argv.includes('--strict-port');
const MAX_TRIES = 20;
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.map': 'application/json', '.png': 'image/png', '.bin': 'application/octet-stream',
  '.wgsl': 'text/plain',
};

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  if (path === '/health') return res.end('ok');
  const file = normalize(join(root, path === '/' ? '/demo/index.html' : path));
  if (!file.startsWith(root) || file.includes('node_modules')) {
    res.statusCode = 403;
    return res.end();
  }
  try {
    const body = await readFile(file);
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(body);
  } catch {
    res.statusCode = 404;
    res.end(`not found: ${path}`);
  }
});

// A taken port is not a crash: like Vite, try the next one up, and say which one it got.
let port = wanted;
server.on('error', (e) => {
  if (e.code === 'EADDRINUSE' && !strict && port < wanted + MAX_TRIES - 1 && port < 65535) {
    console.log(`webgpu-gan: port ${port} is in use, trying ${port + 1}`);
    port += 1;
    server.listen(port, '127.0.0.1');
    return;
  }
  const why =
    e.code === 'EADDRINUSE'
      ? strict
        ? `port ${port} is in use (--strict-port)`
        : `ports ${wanted}-${port} are all in use`
      : e.code === 'EACCES'
        ? `no permission to listen on port ${port}`
        : e.message;
  console.error(`webgpu-gan: cannot serve: ${why}; pass another with --port=N`);
  process.exit(1);
});
server.on('listening', () => console.log(`webgpu-gan: serving http://localhost:${server.address().port}/`));
server.listen(port, '127.0.0.1');
