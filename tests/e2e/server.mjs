// A small static server for dist/ with an optional same-origin proxy to the API, the way a
// deployment would put nginx in front (docs/browser-app.md). No dependencies.
//   node tests/e2e/server.mjs --dir dist --port 8080 [--proxy http://127.0.0.1:8788] [--config '{"api_url": "..."}']
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' };

export function serve({ dir, port = 0, proxy = null, config = null, host = '127.0.0.1' }) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (proxy && url.pathname.startsWith('/rest/')) {
      const target = new URL(url.pathname + url.search, proxy);
      const headers = { ...req.headers, host: target.host };
      delete headers.origin; // same-origin for the browser; the backend sees a plain client
      const up = http.request(target, { method: req.method, headers }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
      up.on('error', (e) => { res.writeHead(502, { 'content-type': 'application/json' }); res.end(JSON.stringify({ status: 502, message: 'proxy: ' + e.message })); });
      req.pipe(up);
      return;
    }
    if (config && url.pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(config);
      return;
    }
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(403); res.end(); return; }
    if (file.endsWith(path.sep)) file = path.join(file, 'index.html');
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-length': st.size, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
  const s = await serve({ dir: arg('--dir', 'dist'), port: Number(arg('--port', 8080)), proxy: arg('--proxy', null), config: arg('--config', null) });
  console.log(`serving on http://127.0.0.1:${s.address().port}/`);
}
