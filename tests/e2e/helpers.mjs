// Shared pieces of the end-to-end tests: the simulator, the CLI, the static server and the
// system Chromium (playwright-core; nothing is downloaded).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const DIST = process.env.TI_DIST || path.join(ROOT, 'dist');
export const SIM = process.env.TI_SIM || path.join(ROOT, 'target/release/intelgraph-sim');
export const CLI = process.env.TI_CLI || path.join(ROOT, 'target/release/ti-export');
export const API_PATH = '/rest/threatindicator/v0';

export const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ti-web-'));

/** Starts the simulator; resolves to { url (API endpoint), base, stop }. */
export function startSim(args = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(SIM, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.on('error', reject);
    const rl = readline.createInterface({ input: p.stdout });
    rl.once('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (!m) { p.kill(); reject(new Error('simulator said: ' + line)); return; }
      const base = m[1].replace(/\/$/, '');
      resolve({ base, url: base + API_PATH, stop: () => p.kill() });
    });
  });
}

/** Serves dist/ (optionally proxying /rest/ to `proxy`); resolves to { url, stop }. */
export async function startSite(opts = {}) {
  const s = await serve({ dir: DIST, ...opts });
  return { url: `http://127.0.0.1:${s.address().port}/`, stop: () => new Promise((r) => { s.closeAllConnections?.(); s.close(r); }) };
}

export function generate(count, seed, file, shape = 'response') {
  execFileSync(SIM, ['generate', '--count', String(count), '--seed', String(seed), '--shape', shape, '-o', file]);
  return file;
}

/** Runs the CLI; returns the bytes it wrote. */
export function cli(args, env = {}) {
  const out = path.join(tmp(), 'cli.out');
  execFileSync(CLI, [...args, '-o', out, '-q'].filter(Boolean), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  return fs.readFileSync(out);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page on the site that records console output, page errors and CSP violations. */
export async function open(browser, siteUrl, { context } = {}) {
  const ctx = context || (await browser.newContext({ acceptDownloads: true }));
  const page = await ctx.newPage();
  page.log = [];
  page.on('console', (m) => page.log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.log.push(`pageerror: ${e.message}`));
  await page.goto(siteUrl);
  await page.getByRole('button', { name: 'Fetch indicators' }).waitFor();
  return page;
}

/** Waits until the result can be downloaded (conversion finished). */
export async function ready(page, timeout = 60_000) {
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('button')].find((x) => x.textContent === 'Download');
    return b && !b.disabled;
  }, null, { timeout });
}

/** Clicks Download; resolves to { name, bytes }. */
export async function download(page) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
  return { name: d.suggestedFilename(), bytes: fs.readFileSync(await d.path()) };
}

export async function status(page) {
  return (await page.getByRole('status').textContent()) || '';
}

/** Chooses options by their labels; resolves when the new result is ready. */
export async function choose(page, label, value) {
  await page.getByLabel(label, { exact: true }).selectOption(value);
}

/** Fills the fetch form by its labels (token and days only when given) and clicks Fetch. */
export async function startFetch(page, { url, token, days } = {}) {
  await page.getByLabel('API URL').fill(url);
  await page.getByLabel('API URL').press('Tab');
  if (token !== undefined) await page.getByLabel('API token').fill(token);
  if (days !== undefined) {
    await page.getByLabel('Days').fill(String(days));
    await page.getByLabel('Days').press('Tab');
  }
  await page.getByRole('button', { name: 'Fetch indicators' }).click();
}
