// The staff dashboard in headless Chromium: a real minyi-server with demo data, sign-in, results, CSV, roles, CSRF.
// Usage: node tests/dashboard/dashboard.test.mjs --minyi BIN --server BIN [--screenshots DIR]
// (run `npm ci` in tests/dashboard first; deploy/dev.sh does). Chromium is Debian's /usr/bin/chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const minyi = option('--minyi');
const serverBin = option('--server');
if (!minyi || !serverBin) {
  console.error('usage: node dashboard.test.mjs --minyi BIN --server BIN [--screenshots DIR]');
  process.exit(2);
}
const work = mkdtempSync(path.join(tmpdir(), 'minyi-dashboard-'));
const shots = option('--screenshots', path.join(work, 'screenshots'));
mkdirSync(shots, { recursive: true });
const data = path.join(work, 'data');
const passwords = { admin: 'admin demo password', handler: 'handler password 1', viewer: 'viewer password 1' };

let server;
let base;
let ticketLink;
let context;
let page;
const cspViolations = [];

// A query on the server's database, through Python's sqlite3 (read only), for comparing with what the pages show.
function sql(query) {
  const out = execFileSync('python3', ['-c',
    'import sqlite3, sys, json\n' +
    'db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)\n' +
    'print(json.dumps(db.execute(sys.argv[2]).fetchall()))', path.join(data, 'server.db'), query]);
  return JSON.parse(out.toString());
}

function run(bin, args, input) {
  return execFileSync(bin, args, { input, encoding: 'utf8' });
}

// RFC 4180 fields, quotes doubled, CRLF rows.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

async function login(user) {
  await page.goto(`${base}/staff/login`);
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', passwords[user]);
  await Promise.all([page.waitForURL(/\/staff\/results/), page.click('form button[type=submit]')]);
}

async function logout() {
  await Promise.all([page.waitForURL(/\/staff\/login/), page.click('header .who button')]);
}

before(async () => {
  const demo = run(minyi, ['demo', '--data', data, '--submissions', '800', '--seed', '42', '--admin-password-stdin'],
    passwords.admin + '\n');
  assert.match(demo, /stored 800/);
  // A resolved ticket's public link, as its QR code carries it.
  ticketLink = demo.match(/ticket page[^:]*: (\/t\/\S+)/)[1];
  run(minyi, ['user', 'add', '--data', data, 'handler', '--role', 'handler'], passwords.handler + '\n');
  run(minyi, ['user', 'add', '--data', data, 'viewer', '--role', 'viewer'], passwords.viewer + '\n');
  const config = path.join(work, 'server.toml');
  writeFileSync(config, '[server]\nlisten = "127.0.0.1"\nport = 0\n[storage]\ndata_dir = "data"\n' +
    '[keys]\nkey_pair = "data/server.key"\n' +
    // A group robot nobody answers (the discard port): 消息通知 shows what waits and why.
    '[notify]\ndashboard_url = "https://minyi.example.gov.cn"\ncheck_seconds = 5\ntimeout_seconds = 2\n' +
    '[[notify.channels]]\nname = "东湖社区工作群"\nkind = "wecom"\n' +
    'url = "http://127.0.0.1:9/cgi-bin/webhook/send?key=0000"\ncommunities = ["donghu"]\n');
  server = spawn(serverBin, ['--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    server.stdout.on('data', (chunk) => {
      text += chunk;
      const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', (code) => reject(new Error(`minyi-server exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}`;
  // Staff PCs have a Chinese font (微软雅黑, Noto Sans CJK); a bare test machine may have none, and screenshots
  // full of empty boxes show nothing. Chromium finds the kiosk's own Noto Sans CJK SC subset (fonts/) besides
  // the system's fonts.
  const fontsConf = path.join(work, 'fonts.conf');
  writeFileSync(fontsConf, '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>' +
    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' +
    `<dir>${path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fonts')}</dir>` +
    `<cachedir>${path.join(work, 'fontconfig')}</cachedir></fontconfig>\n`);
  context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: '/usr/bin/chromium',
    env: { ...process.env, FONTCONFIG_FILE: fontsConf },
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1366, height: 900 },
    locale: 'zh-CN',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? await context.newPage();
  // The CSP forbids inline script and style: any violation means a page relies on something it may not.
  page.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text()); });
});

after(async () => {
  if (context) await context.close();
  if (server) server.kill('SIGTERM');
  rmSync(path.join(work, 'profile'), { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

test('an admin signs in and sees the results with the counts of the database', async () => {
  await page.goto(`${base}/staff/results`);
  assert.match(page.url(), /\/staff\/login\?next=/);
  await page.screenshot({ path: path.join(shots, 'dashboard-login.png') });
  await login('admin');
  const response = await page.goto(`${base}/staff/results?form=quick&version=1`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /script-src 'none'/);
  const [[total]] = sql("SELECT count(*) FROM submissions WHERE form_id = 'quick' AND form_version = 1");
  assert.ok(total > 100);
  assert.equal(await page.textContent('#total'), total.toLocaleString('en-US'));
  // Each answer's count in the question's table is what the database holds.
  const rows = sql("SELECT json_extract(answers, '$.satisfaction'), count(*) FROM submissions " +
    "WHERE form_id = 'quick' GROUP BY 1");
  const labels = { very_satisfied: '非常满意', satisfied: '满意', unsatisfied: '不满意', very_unsatisfied: '非常不满意' };
  for (const [value, count] of rows) {
    const cell = page.locator('section.question table.counts tr', { has: page.locator(`td:text-is("${labels[value]}")`) })
      .locator('td.num').first();
    assert.equal(await cell.textContent(), count.toLocaleString('en-US'), `count of ${value}`);
  }
  const satisfied = rows.filter(([v]) => v === 'satisfied' || v === 'very_satisfied').reduce((n, [, c]) => n + c, 0);
  const rate = `${(satisfied / total * 100).toFixed(1)}%`;
  assert.match(await page.textContent('section.question .facts'), new RegExp(`满意率 ${rate.replace('.', '\\.')}`));
  assert.equal(await page.locator('svg.weeks rect.col').count() >= 8, true);

  await page.goto(`${base}/staff/results?form=civilized-city&version=1`);
  await page.screenshot({ path: path.join(shots, 'dashboard-results.png') });
  await page.screenshot({ path: path.join(shots, 'dashboard-results-full.png'), fullPage: true });
});

test('the CSV download is UTF-8 with BOM and holds exactly the submissions of the database', async () => {
  await page.goto(`${base}/staff/results?form=civilized-city&version=1`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=导出 CSV')]);
  const file = path.join(work, 'export.csv');
  await download.saveAs(file);
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parseCsv(bytes.subarray(3).toString('utf8'));
  assert.equal(rows[0][0], '编号');
  const ids = rows.slice(1).map((r) => r[0]).sort();
  const dbIds = sql("SELECT id FROM submissions WHERE form_id = 'civilized-city' AND form_version = 1 ORDER BY id")
    .map(([id]) => id);
  assert.deepEqual(ids, dbIds);
  // One community answer checked cell by cell: the label, not the code.
  const col = rows[0].indexOf('您住在哪个社区？');
  assert.ok(col > 0);
  const [[donghu]] = sql("SELECT count(*) FROM submissions WHERE form_id = 'civilized-city' " +
    "AND json_extract(answers, '$.community') = 'donghu'");
  assert.equal(rows.slice(1).filter((r) => r[col] === '东湖社区').length, donghu);
});

test('submissions, participation, devices and the rest of the admin pages render', async () => {
  for (const p of ['/staff/submissions?form=complaint&version=1', '/staff/participation', '/staff/devices',
    '/staff/forms', '/staff/places', '/staff/notices', '/staff/users', '/staff/audit', '/staff/notifications']) {
    const res = await page.goto(base + p);
    assert.equal(res.status(), 200, p);
    assert.equal(await page.locator('text=[[').count(), 0, `missing strings on ${p}`);
    assert.ok(!(await page.content()).includes('{0}'), `a string without its argument on ${p}`);
    const name = p.slice('/staff/'.length).split('?')[0];
    if (['forms', 'notices', 'users', 'audit', 'notifications'].includes(name)) {
      await page.screenshot({ path: path.join(shots, `dashboard-${name}.png`), fullPage: true });
    }
  }
  await page.goto(`${base}/staff/submissions?form=complaint&version=1`);
  await page.screenshot({ path: path.join(shots, 'dashboard-submissions.png') });
  await page.goto(`${base}/staff/participation`);
  await page.screenshot({ path: path.join(shots, 'dashboard-participation.png') });
  await page.goto(`${base}/staff/devices`);
  await page.selectOption('select[name=site]', 'donglian-culture');
  await page.fill('input[name=name]', '文化中心二号机');
  await page.click('text=添加并生成启用码');
  assert.match(await page.textContent('#enrollment-code'), /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  await page.screenshot({ path: path.join(shots, 'dashboard-devices.png'), fullPage: true });
});

test('an admin adds a community and its site on 地点管理, a taken id is refused, and a kiosk can be added there', async () => {
  await page.goto(`${base}/staff/places`);
  assert.equal(await page.locator('#communities tbody tr').count(), sql('SELECT count(*) FROM communities')[0][0]);
  assert.equal(await page.locator('#sites tbody tr').count(), sql('SELECT count(*) FROM sites')[0][0]);
  const submit = async (action, fields) => {
    const form = page.locator(`form[action="/staff/places/${action}"]`).first();
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'community') await form.locator(`select[name=${name}]`).selectOption(value);
      else await form.locator(`input[name=${name}]`).fill(value);
    }
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/staff/places/${action}`)),
      form.locator('button[type=submit]').click()]);
    return (await page.textContent('main .band')).trim();
  };
  // A second township's village (seed reports: 联合村) and its service centre, typed as staff would.
  assert.match(await submit('community', { id: 'lianhe', name: '联合村', households: '812' }), /已添加社区：联合村/);
  assert.match(await submit('site', { id: 'lianhe-bmfwz', name: '联合村便民服务站', community: 'lianhe' }), /已添加站点：联合村便民服务站/);
  assert.deepEqual(sql("SELECT name, community_id FROM sites WHERE id = 'lianhe-bmfwz'"), [['联合村便民服务站', 'lianhe']]);
  // Mistakes are named and change nothing.
  const communities = sql('SELECT count(*) FROM communities')[0][0];
  assert.match(await submit('community', { id: 'donghu', name: '又一个东湖', households: '5' }), /donghu 已经被使用/);
  // The browser already stops an id the server would refuse (the server's own refusal: test_dashboard.cpp).
  assert.equal(await page.locator('form[action="/staff/places/community"] input[name=id]')
    .evaluate((el) => { el.value = 'Lian He'; return el.checkValidity(); }), false);
  // Regression: Chromium compiles pattern with the v flag, where an unescaped '-' in a class makes the whole
  // pattern invalid and silently ignored; the account form's login name had that too.
  assert.equal(await page.evaluate(async () => {
    const html = await (await fetch('/staff/users')).text();
    const input = new DOMParser().parseFromString(html, 'text/html').querySelector('form[action="/staff/users/add"] input[name=name]');
    document.body.append(input);
    input.value = 'Li Si';
    const valid = input.checkValidity();
    input.remove();
    return valid;
  }), false);
  assert.equal(sql('SELECT count(*) FROM communities')[0][0], communities);
  assert.deepEqual(sql("SELECT name FROM communities WHERE id = 'donghu'"), [['东湖社区']]);
  // Households change in the row.
  const row = page.locator('#communities tr', { hasText: '联合村' });
  await row.locator('input[name=households]').fill('830');
  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/staff/places/households')),
    row.locator('button[type=submit]').click()]);
  assert.deepEqual(sql("SELECT households FROM communities WHERE id = 'lianhe'"), [[830]]);
  assert.equal(sql("SELECT count(*) FROM audit_log WHERE action IN ('community_add', 'site_add', 'community_households')")[0][0], 3);
  await page.screenshot({ path: path.join(shots, 'dashboard-places.png'), fullPage: true });
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto(`${base}/staff/places`);
  await page.screenshot({ path: path.join(shots, 'dashboard-places-narrow.png'), fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });
  // The new site is where kiosks are added.
  await page.goto(`${base}/staff/devices`);
  assert.equal(await page.locator('select[name=site] option[value="lianhe-bmfwz"]').count(), 1);
});

test('a POST without the CSRF token is refused with 403 and changes nothing', async () => {
  await page.goto(`${base}/staff/devices`);
  const before = sql('SELECT count(*) FROM devices')[0][0];
  const form = page.locator('form[action="/staff/devices/add"]');
  await form.locator('input[name=csrf]').evaluate((el) => el.remove());
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/staff/devices/add')),
    form.locator('button[type=submit]').click(),
  ]);
  assert.equal(response.status(), 403);
  assert.match(await page.textContent('main'), /安全令牌/);
  assert.equal(sql('SELECT count(*) FROM devices')[0][0], before);
});

test('the ticket queue, 督办 and the numbers render with the counts of the database', async () => {
  const total = sql('SELECT count(*) FROM tickets')[0][0];
  assert.ok(total > 10, `the demo filed ${total} tickets`);
  await page.goto(`${base}/staff/tickets`);
  assert.equal(await page.locator('main table tbody tr').count(), total);
  await page.screenshot({ path: path.join(shots, 'dashboard-tickets.png') });
  await page.goto(`${base}/staff/tickets/numbers`);
  const totals = await page.locator('tr', { hasText: '合计' }).first().locator('td').allTextContents();
  assert.equal(Number(totals[0]), total, 'received in all weeks');
  await page.screenshot({ path: path.join(shots, 'dashboard-ticket-numbers.png'), fullPage: true });
  await page.goto(`${base}/staff/tickets/overdue`);
  assert.equal(await page.locator('text=[[').count(), 0);
  await page.screenshot({ path: path.join(shots, 'dashboard-overdue.png'), fullPage: true });
});

test('the loop in the browser: 不满意 on the phone reopens, staff handle it again, 满意 closes it', async () => {
  const code = ticketLink.split('/t/')[1].split('?')[0];
  assert.equal(sql(`SELECT status FROM tickets WHERE code = '${code}'`)[0][0], 'resolved');
  // The resident's phone: small screen, each language, no personal data, the rating form.
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  for (const [lang, status] of [['zh-cn', '已办结，等待回访'], ['zh-tw', '已辦結，等待回訪'], ['en', 'Resolved, awaiting your rating']]) {
    await phone.goto(`${base}${ticketLink}&lang=${lang}`);
    assert.match(await phone.textContent('body'), new RegExp(status));
    assert.doesNotMatch(await phone.textContent('body'), /1[3-9]\d{9}/);
    // Nothing is wider than the phone.
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await phone.screenshot({ path: path.join(shots, `public-ticket-${lang}.png`), fullPage: true });
  }
  await phone.goto(`${base}${ticketLink}&lang=zh-cn`);
  await Promise.all([phone.waitForLoadState('load'), phone.click('button[value=unsatisfied]')]);
  assert.match(await phone.textContent('body'), /已重新交办/);
  assert.deepEqual(sql(`SELECT status, flagged FROM tickets WHERE code = '${code}'`)[0], ['reopened', 1]);

  // Staff see the flag and handle it again.
  await page.goto(`${base}/staff/tickets/${code}`);
  assert.match(await page.textContent('#ticket'), /不满意重办/);
  await Promise.all([page.waitForURL(/done=start/), page.click('button:has-text("开始办理")')]);
  await page.fill('textarea[name=text]', '已再次上门核查，杂物已全部清走，并安排每周巡查。');
  await Promise.all([page.waitForURL(/done=resolve/), page.click('button:has-text("办结并公开答复")')]);
  const history = await page.locator('table.timeline tbody tr').allTextContents();
  assert.match(history.at(-3), /居民本人.*回访评价.*不满意（手机页面）/);
  assert.match(history.at(-1), /办结.*已写公开答复/);
  await page.screenshot({ path: path.join(shots, 'dashboard-ticket.png'), fullPage: true });

  // The phone again: the new reply, and 满意 closes it.
  await phone.goto(`${base}${ticketLink}&lang=zh-cn`);
  assert.match(await phone.textContent('body'), /杂物已全部清走/);
  await Promise.all([phone.waitForLoadState('load'), phone.click('button[value=satisfied]')]);
  assert.match(await phone.textContent('body'), /谢谢您的评价/);
  assert.deepEqual(sql(`SELECT status, rating FROM tickets WHERE code = '${code}'`)[0], ['closed', 'satisfied']);
  // A wrong key is the same page as an unknown code.
  const wrong = await phone.goto(`${base}/t/${code}?k=0000000000000000`);
  const unknown = await phone.goto(`${base}/t/00W0000011?k=0000000000000000`);
  assert.equal(wrong.status(), unknown.status());
  await phone.close();
});

for (const role of ['handler', 'viewer']) {
  test(`a ${role} sees results but gets 403 on every admin page`, async () => {
    await page.goto(`${base}/staff/results`);
    if (await page.locator('header .who button').count()) await logout();
    await login(role);
    assert.equal(await page.locator('nav.menu a[href="/staff/devices"]').count(), 0);
    for (const p of ['/staff/forms', '/staff/places', '/staff/devices', '/staff/notices', '/staff/users', '/staff/audit',
      '/staff/notifications']) {
      const res = await page.goto(base + p);
      assert.equal(res.status(), 403, `${role} on ${p}`);
    }
    const res = await page.goto(`${base}/staff/submissions?form=complaint&version=1`);
    assert.equal(res.status(), 200);
    // Phone numbers are masked for everyone but admins.
    const text = await page.textContent('#submissions');
    assert.doesNotMatch(text, /1[3-9]\d{9}/);
    await logout();
  });
}

test('no page broke its Content-Security-Policy', () => {
  assert.deepEqual(cspViolations, []);
});
