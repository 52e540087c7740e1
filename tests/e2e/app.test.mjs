// End-to-end tests of the release build against the simulator and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, open, startSim, startSite, generate, cli, ready, download, status, choose, tmp, startFetch } from './helpers.mjs';

let browser, site, dir, exportFile;

before(async () => {
  dir = tmp();
  exportFile = generate(3000, 11, path.join(dir, 'export.json'), 'pages');
  browser = await launch();
  site = await startSite();
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

const same = (got, want, what) => {
  assert.equal(got.length, want.length, `${what}: ${got.length} bytes, the CLI wrote ${want.length}`);
  assert.ok(Buffer.compare(got, want) === 0, `${what}: bytes differ from the CLI's`);
};

const noCspViolations = (page) => assert.deepEqual(page.log.filter((l) => /Content Security Policy|pageerror|panicked/i.test(l)), []);

test('offline conversion downloads exactly what the CLI writes, and options re-convert', async () => {
  const page = await open(browser, site.url);
  await page.getByLabel('JSON export').setInputFiles(exportFile);
  await ready(page);
  const s = await status(page);
  assert.match(s, /JSON array of 15 API responses/);
  assert.match(s, /3000 records read/);
  let d = await download(page);
  assert.equal(d.name, 'ti.csv');
  same(d.bytes, cli(['--input', exportFile]), 'default CSV v2');

  await choose(page, 'Minimum severity', 'high');
  await choose(page, 'CSV version', '1');
  await page.getByLabel('ip', { exact: true }).check();
  await page.getByLabel('url', { exact: true }).check();
  await ready(page);
  d = await download(page);
  same(d.bytes, cli(['--input', exportFile, '-s', 'high', '-v', '1', '-t', 'ip', 'url']), 'filtered CSV v1');
  assert.match(await status(page), /filtered out/);

  await choose(page, 'Output format', 'json');
  await choose(page, 'Minimum confidence', 'medium');
  await ready(page);
  assert.equal(await page.getByLabel('File name').inputValue(), 'ti.json');
  d = await download(page);
  assert.equal(d.name, 'ti.json');
  same(d.bytes, cli(['--input', exportFile, '-s', 'high', '-c', 'medium', '-v', '1', '-t', 'ip', 'url', '-f', 'json']), 'filtered JSON');
  noCspViolations(page);
  await page.context().close();
});

test('rejected records are counted and can be downloaded', async () => {
  const file = path.join(dir, 'bad.ndjson');
  fs.writeFileSync(file, '{"key":"a.example","type":"domain","uuid":"1"}\n{"key": 5}\n{"key":"b.example", oops}\n');
  const page = await open(browser, site.url);
  await page.getByLabel('JSON export').setInputFiles(file);
  await ready(page);
  assert.match(await status(page), /1 converted/);
  assert.match(await status(page), /2 rejected/);
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download rejected records' }).click()]);
  const lines = fs.readFileSync(await d.path(), 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /"record":2/);
  await page.context().close();
});

test('a fetch under injected faults and rate limits downloads what the CLI fetches', async () => {
  const sim = await startSim(['--token', 'demo', '--count', '2500', '--seed', '5', '--fault-rate', '0.25', '--rate-limit', '15']);
  try {
    const page = await open(browser, site.url);
    await startFetch(page, { url: sim.url, token: 'demo', days: 3650 });
    await ready(page, 120_000);
    const s = await status(page);
    assert.match(s, /Fetched: 13 of 13 pages, 2500 of 2500 indicators, \d+ retr/);
    const d = await download(page);
    same(d.bytes, cli(['--url', sim.url, '-n', '3650'], { IDEF_TOKEN: 'demo' }), 'fetched CSV');
    noCspViolations(page);
    await page.context().close();
  } finally {
    sim.stop();
  }
});

test('a cancelled fetch resumes with the missing pages, counting down while rate limited', async () => {
  const sim = await startSim(['--token', 'demo', '--count', '1800', '--seed', '8', '--latency-ms', '150', '--rate-limit', '3']);
  try {
    const page = await open(browser, site.url);
    await startFetch(page, { url: sim.url, token: 'demo', days: 3650 });
    await page.waitForFunction(() => /Retrying in \d+ s: rate limited/.test(document.querySelector('[role=status]').textContent), null, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    assert.match(await status(page), /Fetch cancelled/);
    assert.match(await status(page), /Fetch stopped: \d+ of 9 pages/);
    await page.getByRole('button', { name: 'Resume' }).click();
    await ready(page, 120_000);
    assert.match(await status(page), /Fetched: 9 of 9 pages, 1800 of 1800 indicators/);
    const d = await download(page);
    same(d.bytes, cli(['--url', sim.url, '-n', '3650'], { IDEF_TOKEN: 'demo' }), 'resumed fetch');
    await page.context().close();
  } finally {
    sim.stop();
  }
});

test('the token stays in sessionStorage, goes only in the auth-token header, and can be forgotten', async () => {
  const TOKEN = 'tok-S3CRET-4c1d';
  const sim = await startSim(['--token', TOKEN, '--count', '300', '--seed', '2']);
  const context = await browser.newContext({ acceptDownloads: true });
  try {
    const leaks = [];
    context.on('request', (r) => {
      const h = r.headers();
      const inUrl = r.url().includes(TOKEN);
      const inBody = (r.postData() || '').includes(TOKEN);
      const otherHeaders = Object.entries(h).filter(([k, v]) => k !== 'auth-token' && String(v).includes(TOKEN));
      const authElsewhere = h['auth-token'] && r.url() !== sim.url;
      if (inUrl || inBody || otherHeaders.length || authElsewhere) leaks.push(`${r.method()} ${r.url()}`);
    });
    const page = await open(browser, site.url, { context });
    await page.getByLabel('API URL').fill(sim.url);
    await page.getByLabel('API URL').press('Tab');
    const token = page.getByLabel('API token');
    assert.equal(await token.getAttribute('type'), 'password');
    assert.equal(await token.getAttribute('autocomplete'), 'off');
    await token.fill(TOKEN);
    await page.getByRole('button', { name: 'Fetch indicators' }).click();
    await ready(page);
    const d = await download(page);
    assert.ok(!d.bytes.includes(TOKEN), 'the output holds the token');

    await page.reload();
    await page.getByRole('button', { name: 'Fetch indicators' }).waitFor();
    assert.equal(await page.getByLabel('API token').inputValue(), TOKEN, 'a reload of the tab keeps the token');
    const stores = await page.evaluate(() => ({ local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), cookie: document.cookie, url: location.href }));
    assert.ok(!stores.local.includes(TOKEN), 'token in localStorage');
    assert.ok(stores.session.includes(TOKEN), 'token not in sessionStorage');
    assert.ok(!stores.cookie.includes(TOKEN) && !stores.url.includes(TOKEN), 'token in a cookie or the URL');
    assert.deepEqual((await context.cookies()).filter((c) => c.value.includes(TOKEN)), []);
    assert.deepEqual(page.log.filter((l) => l.includes(TOKEN)), [], 'token in the console');
    assert.deepEqual(leaks, [], 'token sent elsewhere');

    // A new session (a new browser context) does not have it.
    const fresh = await open(browser, site.url);
    assert.equal(await fresh.getByLabel('API token').inputValue(), '');
    await fresh.context().close();

    await page.getByRole('button', { name: 'Forget token' }).click();
    assert.equal(await page.getByLabel('API token').inputValue(), '');
    assert.ok(!(await page.evaluate(() => JSON.stringify({ ...sessionStorage }))).includes(TOKEN));
    await page.reload();
    await page.getByRole('button', { name: 'Fetch indicators' }).waitFor();
    assert.equal(await page.getByLabel('API token').inputValue(), '');
  } finally {
    await context.close();
    sim.stop();
  }
});

async function fetchError(simArgs, token) {
  const sim = await startSim(simArgs);
  try {
    const page = await open(browser, site.url);
    await startFetch(page, { url: sim.url, token });
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 90_000 });
    const text = await alert.textContent();
    await page.context().close();
    return text;
  } finally {
    sim.stop();
  }
}

test('a rejected token shows its sentence', async () => {
  const t = await fetchError(['--token', 'demo'], 'wrong-token');
  assert.match(t, /rejected the token \(401 Unauthorized\)/);
});

test('a token without entitlement shows its sentence', async () => {
  const t = await fetchError(['--token', 'demo', '--forbidden'], 'demo');
  assert.match(t, /not entitled.*403/);
});

test('a CORS-blocked API explains the same-origin proxy', async () => {
  const t = await fetchError(['--token', 'demo', '--no-cors'], 'demo');
  assert.match(t, /CORS/);
  assert.match(t, /proxy/);
});

test('hostile indicator values show as text and run nothing', async () => {
  const file = path.join(dir, 'hostile.json');
  const values = ['<script>window.__pwned = 1</script>', '<img src=x onerror="window.__pwned = 2">', '"><svg onload="window.__pwned=3">'];
  fs.writeFileSync(file, JSON.stringify(values.map((key, i) => ({ key, type: 'url', uuid: String(i), threat_types: ['<b>bold</b>'], severity: 3 }))));
  const page = await open(browser, site.url);
  await page.getByLabel('JSON export').setInputFiles(file);
  await ready(page);
  const cells = await page.locator('.preview tbody tr td:nth-child(3)').allTextContents();
  assert.deepEqual(cells, values);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('.preview img, .preview script, .preview svg, .preview b').count(), 0);
  noCspViolations(page);
  await page.context().close();
});

test('the bundled sample converts, and the page works from the keyboard', async () => {
  const page = await open(browser, site.url);
  const sample = page.getByRole('button', { name: 'Try a sample' });
  await sample.focus();
  await page.keyboard.press('Enter');
  await ready(page);
  assert.match(await status(page), /250 converted/);
  await page.getByRole('button', { name: 'Download', exact: true }).focus();
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.equal(d.suggestedFilename(), 'ti.csv');
  noCspViolations(page);
  await page.context().close();
});
