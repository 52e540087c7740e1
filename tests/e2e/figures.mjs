// Figures for the issue: gzipped wasm sizes, the time from choosing a 55 MB export to
// download-ready in headless Chromium against the native CLI on the same file, the longest
// main-thread task meanwhile, and screenshots of the page's states.
//   node tests/e2e/figures.mjs [--count 60000] [--out target/figures]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ROOT, DIST, CLI, launch, open, startSim, startSite, generate, ready, status, startFetch } from './helpers.mjs';

const arg = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : d; };
const count = Number(arg('--count', 60000));
const out = path.resolve(ROOT, arg('--out', 'target/figures'));
fs.mkdirSync(out, { recursive: true });
const figures = {};

for (const f of ['app_bg.wasm', 'worker_bg.wasm', 'app.js', 'worker.js']) {
  const raw = fs.readFileSync(path.join(DIST, f));
  figures[`${f} gzip -9 (bytes)`] = zlib.gzipSync(raw, { level: 9 }).length;
  figures[`${f} raw (bytes)`] = raw.length;
}

const file = path.join(out, `export-${count}.json`);
if (!fs.existsSync(file)) generate(count, 1, file);
figures['export size (MB)'] = +(fs.statSync(file).size / 1e6).toFixed(1);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = 5;
const cliRuns = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  execFileSync(CLI, ['--input', file, '-o', path.join(out, 'cli.csv'), '-q']);
  cliRuns.push(Number((process.hrtime.bigint() - t0) / 1_000_000n));
}
figures['CLI --input to file, runs (ms)'] = cliRuns;
figures['CLI --input to file, median (ms)'] = median(cliRuns);

const browser = await launch();
const site = await startSite();
try {
  const ctx = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  await ctx.addInitScript(() => {
    window.__tasks = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__tasks.push([e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
  });
  const page = await open(browser, site.url, { context: ctx });
  await page.screenshot({ path: path.join(out, 'empty.png'), fullPage: true });
  // A person takes longer than this to pick a file: the worker has started and warmed up.
  await page.waitForTimeout(2500);
  const mark = await page.evaluate(() => performance.now());
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    // Each choice is a new file for the page: read again from disk, converted again.
    await page.evaluate(() => document.getElementById('json-export').addEventListener('change', () => { window.__chosen = performance.now(); }, { capture: true, once: true }));
    await page.getByLabel('JSON export').setInputFiles(file);
    await ready(page, 300_000);
    runs.push(Math.round(await page.evaluate(() => performance.now() - window.__chosen)));
  }
  figures['Chromium: file chosen to download-ready, runs (ms)'] = runs;
  figures['Chromium: file chosen to download-ready, first run (ms)'] = runs[0];
  figures['Chromium: file chosen to download-ready, median (ms)'] = median(runs);
  figures['ratio browser / CLI (medians)'] = +(median(runs) / median(cliRuns)).toFixed(2);
  const tasks = await page.evaluate((m) => window.__tasks.filter(([s]) => s >= m), mark);
  figures['main-thread tasks over 50 ms during conversion'] = tasks.length;
  figures['longest main-thread task during conversion (ms)'] = tasks.length ? Math.round(Math.max(...tasks.map(([, d]) => d))) : '< 50 (none reported)';
  figures['status'] = (await status(page)).slice(0, 200);
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
  figures['download equals the CLI output'] = Buffer.compare(fs.readFileSync(await d.path()), fs.readFileSync(path.join(out, 'cli.csv'))) === 0;
  await page.screenshot({ path: path.join(out, 'loaded.png'), fullPage: true });

  // Fetching, mid-way, with a slow simulator.
  const sim = await startSim(['--token', 'demo', '--count', '6000', '--latency-ms', '400', '--rate-limit', '4']);
  await startFetch(page, { url: sim.url, token: 'demo' });
  await page.waitForFunction(() => /Retrying in|Fetching: [1-9]/.test(document.querySelector('[role=status]').textContent), null, { timeout: 30_000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(out, 'fetching.png'), fullPage: false });
  await page.getByRole('button', { name: 'Cancel' }).click();
  sim.stop();

  // An error: the API sends no CORS headers.
  const blocked = await startSim(['--token', 'demo', '--no-cors']);
  await startFetch(page, { url: blocked.url });
  await page.getByRole('alert').waitFor({ timeout: 90_000 });
  await page.screenshot({ path: path.join(out, 'error.png'), fullPage: false });
  blocked.stop();

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(out, 'error-dark.png'), fullPage: false });
  await ctx.close();
} finally {
  await browser.close();
  await site.stop();
}
fs.writeFileSync(path.join(out, 'figures.json'), JSON.stringify(figures, null, 2) + '\n');
console.log(JSON.stringify(figures, null, 2));
console.log(`screenshots in ${out}: empty.png loaded.png fetching.png error.png error-dark.png`);
