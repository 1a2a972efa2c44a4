// Static file server for the demo and the browser tests: the repo root over
// http://localhost (navigator.gpu needs a secure context; localhost is one).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const port = Number(process.argv.find((a) => a.startsWith('--port='))?.slice(7) ?? process.env.PORT ?? 8080);
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.map': 'application/json', '.png': 'image/png', '.bin': 'application/octet-stream',
  '.wgsl': 'text/plain',
};

createServer(async (req, res) => {
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
}).listen(port, '127.0.0.1', () => console.log(`webgpu-gan: serving http://localhost:${port}/`));
