/**
 * The console (apps/console, served by the gateway at `/`) in Debian's Chromium,
 * through whole flows against Ripple running as processes: two users side by
 * side, an edit made offline, batch sync and connector progress, an admin's
 * dead-letter retry. Screenshots of the main screens go to test/e2e/output/console.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually } from '@ripple/testing';
import { startBroadstreetSim, type RunningBroadstreetSim } from '../simulators/src/broadstreet/broadstreet-simulator';
import { launchChromium } from './support/chromium';
import { startConnectorsWorld, type ConnectorsWorld } from './support/connectors';

const SHOTS = join(__dirname, 'output', 'console');
const ADMIN_PASSWORD = 'e2e-admin-password';
const PASSWORD = 'correct horse battery';

let w: ConnectorsWorld;
let broadstreet: RunningBroadstreetSim;
let browser: Browser;
let alice: { ctx: BrowserContext; page: Page; username: string };

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // A slow upstream (10 requests/s) so a catalog run lasts long enough for its bars to be seen moving.
  broadstreet = await startBroadstreetSim({ accessToken: 'e2e-broadstreet-token', networks: 1, perParent: 2 });
  w = await startConnectorsWorld(300, {
    ADMIN_PASSWORD, DEAD_LETTER_AFTER: '3', RETRY_BACKOFF_MS: '50', NOWREPBLUE_RATE_LIMIT_PER_S: '10',
    BROADSTREET_BASE_URL: broadstreet.url, BROADSTREET_ACCESS_TOKEN: 'e2e-broadstreet-token',
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await w?.stop();
  await broadstreet?.stop();
});

async function shot(page: Page, name: string) {
  // From the top: the sticky header is drawn where the page is scrolled to.
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
const status = (page: Page, attrs: string) => page.locator(`[role=status]${attrs}`).waitFor();
const go = (page: Page, screen: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: screen }).click();
const tokenOf = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('ripple.session')!).token as string);

async function openConsole(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(w.ripple.url);
  return page;
}

async function registerInPage(page: Page, role: string): Promise<string> {
  const username = unique(role);
  await page.getByRole('button', { name: 'No account yet? Register' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.test`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Register and sign in' }).click();
  await status(page, '[data-state=live]');
  return username;
}

async function saveProfile(page: Page, fields: Record<string, string>) {
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Save' }).click();
}

/** Every value each progress bar showed, in order, keyed by its entity (connector runs) or its label. */
async function recordBars(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { bars: Record<string, string[]> };
    w.bars = {};
    const read = () => document.querySelectorAll('progress').forEach((p) => {
      const key = (p.closest('[data-entity]') as HTMLElement | null)?.dataset.entity ?? p.getAttribute('aria-label')!;
      const seen = (w.bars[key] ??= []);
      const value = `${p.value}/${p.max}`;
      if (seen.at(-1) !== value) seen.push(value);
    });
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    read();
  });
}

const barValues = async (page: Page, key: string) =>
  (await page.evaluate((k) => (window as unknown as { bars: Record<string, string[]> }).bars[k] ?? [], key)).map((v) => v.split('/').map(Number) as [number, number]);

/** The bar moved (it showed less than full first) and finished full, never going back. */
function expectMovedAndFinished(values: [number, number][]) {
  expect(values.length).toBeGreaterThanOrEqual(2);
  const ratios = values.map(([v, max]) => v / max);
  expect(ratios[0]).toBeLessThan(1);
  expect(ratios.at(-1)).toBe(1);
  expect(ratios).toEqual([...ratios].sort((a, b) => a - b));
}

describe('the console in Chromium', () => {
  it('signs two users in, in two contexts: each sees their own changes and venue live, never the other\'s', async () => {
    const ctxA = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const ctxB = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const pageA = await openConsole(ctxA);
    const pageB = await openConsole(ctxB);

    // A refused sign-in is shown in the page, with the server's code.
    await pageA.getByLabel('Username or email').fill('nobody_here');
    await pageA.getByLabel('Password').fill('wrong password');
    await pageA.getByRole('button', { name: 'Sign in' }).click();
    await pageA.getByRole('alert').filter({ hasText: '401 INVALID_CREDENTIALS' }).waitFor();
    await shot(pageA, 'sign-in-refused');

    alice = { ctx: ctxA, page: pageA, username: await registerInPage(pageA, 'venue') };
    await registerInPage(pageB, 'venue');

    // By keyboard: a link in the navigation, Enter, and the new screen's title has the focus.
    await pageA.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Profile' }).focus();
    await pageA.keyboard.press('Enter');
    await pageA.getByLabel('Venue name', { exact: true }).waitFor();
    expect(await pageA.evaluate(() => document.activeElement?.outerHTML)).toMatch(/^<h1[^>]*>Profile<\/h1>$/);
    await go(pageB, 'Profile');
    await saveProfile(pageA, { 'Venue name': 'Alice Arena', 'Venue location': 'Quito' });
    await pageA.getByTestId('business-name').filter({ hasText: 'Alice Arena' }).waitFor();
    await pageA.getByTestId('display-name').filter({ hasText: 'Alice Arena' }).waitFor();
    await saveProfile(pageB, { 'Venue name': 'Bob Hall', 'Venue location': 'Lima' });
    await pageB.getByTestId('business-name').filter({ hasText: 'Bob Hall' }).waitFor();
    // Alice's last change is fed after all of Bob's: had any of his reached her, it would be listed before it.
    await saveProfile(pageA, { Bio: 'alice-after-bob' });
    await pageA.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
    await shot(pageA, 'profile-venue');

    await go(pageA, 'Changes');
    await go(pageB, 'Changes');
    await pageA.locator('ol.changes li').filter({ hasText: 'alice-after-bob' }).waitFor();
    await pageB.locator('ol.changes li').filter({ hasText: 'Bob Hall' }).first().waitFor();
    const listA = await pageA.locator('ol.changes').innerText();
    const listB = await pageB.locator('ol.changes').innerText();
    expect(listA).toContain('Alice Arena');
    expect(listA).toContain('VenueSynced');
    expect(listA).not.toContain('Bob Hall');
    expect(listB).not.toContain('Alice Arena');
    expect(listB).not.toContain('alice-after-bob');
    await shot(pageA, 'changes');

    // At a phone's width.
    const phone = await ctxA.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${w.ripple.url}/profile`);
    await phone.getByTestId('business-name').filter({ hasText: 'Alice Arena' }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(phone, 'profile-phone');
    await phone.close();
    await ctxB.close();
  });

  it('queues an edit made offline, shows it queued, and applies it exactly once on reconnect', async () => {
    const { ctx, page } = alice;
    await go(page, 'Profile');
    const token = await tokenOf(page);
    const before = (await w.api.get('/api/users/me', { token })).body.data;

    await ctx.setOffline(true);
    await status(page, '[data-state=offline]');
    await saveProfile(page, { Bio: 'written-offline' });
    await page.getByTestId('save-state').filter({ hasText: 'Queued' }).waitFor();
    await status(page, '[data-queued="1"]');
    expect(await page.getByRole('status').innerText()).toContain('1 queued');
    await shot(page, 'profile-offline-queued');
    // The README's picture (apps/console/screenshot.png): the top of this screen.
    await page.screenshot({ path: join(SHOTS, 'readme.png'), clip: { x: 0, y: 0, width: 1200, height: 560 } });

    await ctx.setOffline(false);
    await status(page, '[data-state=live][data-queued="0"]');
    await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
    const after = (await w.api.get('/api/users/me', { token })).body.data;
    expect(after.profileInfo.bio).toBe('written-offline');
    expect(after.version).toBe(before.version + 1);

    await go(page, 'Changes');
    await page.locator('ol.changes li').filter({ hasText: 'written-offline' }).first().waitFor();
    expect(await page.locator('ol.changes li[data-event-type=UserProfileUpdated]').filter({ hasText: 'written-offline' }).count()).toBe(1);
  });

  it('names the bad field of a refused edit beside its input, lists the edit as failed, and clears it', async () => {
    const { page } = alice;
    await go(page, 'Profile');
    await saveProfile(page, { 'Venue email': 'not-an-email' });
    await page.locator('#f-venueEmail-err').waitFor();
    expect(await page.getByLabel('Venue email').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('alert').filter({ hasText: '400 VALIDATION_FAILED' }).waitFor();
    await status(page, '[data-failed="1"]');
    await shot(page, 'profile-refused');

    await go(page, 'Sync');
    const failed = page.getByRole('list', { name: 'Failed operations' });
    await failed.getByText('PUT /api/users/profile').waitFor();
    await failed.getByRole('button', { name: 'Clear' }).click();
    await status(page, '[data-failed="0"]');
    await page.getByText('None: everything you sent was accepted.').waitFor();
  });

  it("shows a batch sync's progress bar moving to the end", async () => {
    const { page } = alice;
    const token = await tokenOf(page);
    for (const name of ['Rex', 'Luna']) expect((await w.api.post('/api/pets', { name, species: 'dog', weightKg: 12 }, { token })).status).toBe(201);
    expect((await w.api.post('/api/veterinarians', { name: 'Dr. Vega', clinicName: 'Vega Clinic', phone: '+593 2 555 0101' }, { token })).status).toBe(201);

    await go(page, 'Sync');
    const start = page.getByRole('button', { name: 'Batch sync 4 items' });
    await start.waitFor();
    await recordBars(page);
    await start.click();
    await page.getByTestId('batch-done').filter({ hasText: '4 synced, 0 failed' }).waitFor();
    expectMovedAndFinished(await barValues(page, 'Batch sync'));
    await shot(page, 'sync');

    await go(page, 'Pets');
    await page.getByRole('button', { name: /Rex/ }).waitFor();
    await shot(page, 'pets');
  });

  it("shows a connector run's per-entity bars moving to the end, and an admin retries a dead letter from the page", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await openConsole(ctx);
    await page.getByLabel('Username or email').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await status(page, '[data-state=live]');

    await go(page, 'Connectors');
    await recordBars(page);
    await page.getByRole('button', { name: 'Import now' }).click();
    await page.locator('[data-testid=run][data-status=succeeded]').waitFor({ timeout: 60_000 });
    const talents = await barValues(page, 'talents');
    expectMovedAndFinished(talents);
    expect(await page.locator('[data-entity=talents] .figures').innerText()).toBe('300 / 300');
    await shot(page, 'connectors');

    // A venue row the projection cannot write: the change is dead-lettered after 3 deliveries.
    const aliceToken = await tokenOf(alice.page);
    const aliceId = (await w.api.get('/api/users/me', { token: aliceToken })).body.data.id as string;
    await w.db.query(`ALTER TABLE venues.venues ADD CONSTRAINT console_no_poison CHECK (name <> 'Poison Arena')`);
    expect((await w.api.put('/api/users/profile', { profileInfo: { venueName: 'Poison Arena' } }, { token: aliceToken })).status).toBe(200);
    const adminToken = await tokenOf(page);
    const letter = await eventually(async () => {
      const open = (await w.api.get('/api/ops/venues/dead-letters?status=open', { token: adminToken })).body.data as { id: string; aggregateId: string }[];
      return open.find((d) => d.aggregateId === aliceId);
    }, { what: 'the dead letter' });

    const pipeline = (await w.api.get('/api/ops/venues/pipeline', { token: adminToken })).body.data;
    expect(pipeline).toMatchObject({ service: 'venues', outboxBacklog: expect.any(Number), projections: [{ name: 'venue-directory', deadLetters: 1 }] });
    expect((await w.api.get('/api/ops/venues/pipeline', { token: aliceToken })).status).toBe(403);

    await go(page, 'Operations');
    await page.locator('[data-service=venues] tr').filter({ hasText: 'venue-directory lag' }).filter({ hasText: '1 dead letter(s)' }).waitFor();
    const row = page.locator(`[data-service=venues] [data-dead-letter="${letter.id}"]`);
    await row.waitFor();
    // Still failing: the page says why (422), and the letter stays.
    await row.getByRole('button', { name: 'Retry' }).click();
    await page.locator('[data-service=venues]').getByRole('alert').filter({ hasText: '422' }).waitFor();
    await shot(page, 'operations');

    await w.db.query('ALTER TABLE venues.venues DROP CONSTRAINT console_no_poison');
    await row.getByRole('button', { name: 'Retry' }).click();
    await row.waitFor({ state: 'detached' });
    const venue = (await w.api.get(`/api/venues?ownerId=${aliceId}`)).body.data[0];
    expect(venue.name).toBe('Poison Arena');
    await alice.page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Profile' }).click();
    await alice.page.getByTestId('business-name').filter({ hasText: 'Poison Arena' }).waitFor();

    // A replay rebuilds the venue directory from the stream, blue/green, with its progress: the same venue comes back.
    const unknown = await w.api.post('/api/ops/venues/replays', { projection: 'nothing-here' }, { token: adminToken });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([{ field: 'projection', errors: ['must be one of: venue-directory'] }]);
    await page.locator('[data-service=venues]').getByRole('button', { name: 'Replay venue-directory' }).click();
    await page.locator('[data-service=venues] [data-testid=replay][data-status=succeeded]').waitFor();
    expect(await page.locator('[data-service=venues] [data-testid=replay]').innerText()).toContain('swapped');
    expect((await w.api.get(`/api/venues?ownerId=${aliceId}`)).body.data[0]).toMatchObject({ name: 'Poison Arena', version: venue.version });
    await shot(page, 'operations-replay');

    // Profiles' users table is rebuilt from its own event store the same way, from the same screen.
    const me = (await w.api.get(`/api/users/${aliceId}`, { token: adminToken })).body.data;
    await page.locator('[data-service=profiles]').getByRole('button', { name: 'Replay users' }).click();
    await page.locator('[data-service=profiles] [data-testid=replay][data-status=succeeded]').waitFor();
    expect(await page.locator('[data-service=profiles] [data-testid=replay]').innerText()).toContain('Replay of users: swapped');
    expect((await w.api.get(`/api/users/${aliceId}`, { token: adminToken })).body.data).toEqual(me);
    await shot(page, 'operations-replay-users');
    await ctx.close();
    await alice.ctx.close();
  });

  it('imports Broadstreet, creates a local network and exports it: each shown Imported, Local, then Synced', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await openConsole(ctx);
    await page.getByLabel('Username or email').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await go(page, 'Connectors');
    const networks = page.getByRole('list', { name: 'networks', exact: true });

    await page.getByRole('button', { name: 'Import all' }).click();
    await page.locator('[data-testid=run][data-status=succeeded]').filter({ hasText: 'broadstreet' }).waitFor();
    await networks.locator('li').filter({ hasText: 'Imported' }).first().waitFor();

    const create = page.getByRole('form', { name: 'New local networks' });
    await create.getByLabel('Name').fill('Console Net');
    await create.getByRole('button', { name: 'Create local' }).click();
    await networks.locator('li').filter({ hasText: 'Console Net' }).filter({ hasText: 'Local' }).waitFor();

    await page.getByRole('button', { name: 'Export local' }).click();
    await page.locator('[data-testid=run][data-status=succeeded]').filter({ hasText: 'export' }).waitFor();
    await networks.locator('li').filter({ hasText: 'Console Net' }).filter({ hasText: 'Synced' }).waitFor();
    expect(broadstreet.requests.some((r) => r.method === 'POST' && JSON.stringify(r).includes('Console Net'))).toBe(true);
    await shot(page, 'broadstreet');
    await ctx.close();
  });
});
