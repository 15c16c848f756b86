/**
 * A real browser's EventSource (Chromium, headless): it cannot send headers, so
 * it trades the user's token for a single-use ticket, receives the user's own
 * changes and never another's, and resumes after the server cuts it (the
 * page resumes from its EventSource's last event id) without a gap or a duplicate.
 */
import type { Browser, Page } from 'playwright-core';
import { eventually } from '@ripple/testing';
import { launchChromium } from './support/chromium';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let ripple: RunningRipple;
let api: ApiClient;
let browser: Browser;

beforeAll(async () => {
  ripple = await startRipple({ SYNC_HEARTBEAT_MS: '1000' });
  api = apiClient(ripple.url);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await ripple?.stop();
});

/** A page on the gateway's origin whose EventSource records every message in `window.feed`. */
async function openFeed(token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${ripple.url}/health`);
  const ticket = (await api.post('/api/sync/ticket', undefined, { token })).body.data.ticket as string;
  await page.evaluate((url) => {
    const w = window as unknown as { feed: unknown[]; source: EventSource; opened: number };
    w.feed = [];
    w.opened = 0;
    w.source = new EventSource(url);
    w.source.onopen = () => w.opened++;
    w.source.onmessage = (e) => w.feed.push({ ...JSON.parse(e.data), lastEventId: e.lastEventId });
  }, `/api/sync/events?ticket=${encodeURIComponent(ticket)}`);
  return page;
}

const feed = (page: Page) => page.evaluate(() => (window as unknown as { feed: any[] }).feed);
const bios = async (page: Page) => (await feed(page)).filter((m) => m.type === 'data_change' && m.data?.changes?.bio).map((m) => m.data.changes.bio as string);
const setBio = async (token: string, bio: string) => expect((await api.put('/api/users/profile', { profileInfo: { bio } }, { token })).status).toBe(200);

describe('Chromium EventSource', () => {
  it('delivers a user\'s own changes with a ticket, never another user\'s, and refuses the ticket twice', async () => {
    const alice = await signUp(api, 'user');
    const bob = await signUp(api, 'user');
    const page = await openFeed(alice.token);
    await eventually(async () => (await feed(page)).some((m) => m.type === 'connected'), { what: 'connected in the browser' });

    await setBio(bob.token, 'bob-1');
    await setBio(alice.token, 'alice-1');
    await setBio(alice.token, 'alice-2');
    await eventually(async () => (await bios(page)).length === 2, { what: 'alice\'s changes in the browser' });
    expect(await bios(page)).toEqual(['alice-1', 'alice-2']);
    const last = (await feed(page)).filter((m) => m.type === 'data_change').pop();
    expect(last.lastEventId).toBe(last.cursor);

    // The ticket was single-use: the same URL again is refused.
    const url = await page.evaluate(() => (window as unknown as { source: EventSource }).source.url);
    const reused = await fetch(url);
    expect(reused.status).toBe(401);
    await page.close();
  });

  it('resumes after a gateway restart from the browser\'s Last-Event-ID with a fresh ticket: no gap, no duplicate', async () => {
    const carol = await signUp(api, 'user');
    const page = await openFeed(carol.token);
    await eventually(async () => (await feed(page)).some((m) => m.type === 'connected'), { what: 'connected' });
    await setBio(carol.token, 'c-1');
    await eventually(async () => (await bios(page)).length === 1, { what: 'first change' });

    // While the gateway is down, a change is made straight at the profiles service.
    await ripple.stopApp('gateway');
    const direct = apiClient(`http://127.0.0.1:${ripple.ports.profiles}`);
    expect((await direct.put('/api/users/profile', { profileInfo: { bio: 'c-2' } }, { token: carol.token })).status).toBe(200);
    await ripple.startApp('gateway');
    await setBio(carol.token, 'c-3');

    // A ticket is single-use, so the browser's own retry of the old URL is refused; the page trades
    // its token for a new ticket and resumes from the last id its EventSource saw.
    const lastId = await page.evaluate(() => {
      const w = window as unknown as { feed: { type: string; lastEventId: string }[]; source: EventSource };
      w.source.close();
      return w.feed.filter((m) => m.type === 'data_change').pop()!.lastEventId;
    });
    const ticket = (await api.post('/api/sync/ticket', undefined, { token: carol.token })).body.data.ticket as string;
    await page.evaluate((url) => {
      const w = window as unknown as { feed: unknown[]; source: EventSource };
      w.source = new EventSource(url);
      w.source.onmessage = (e) => w.feed.push({ ...JSON.parse(e.data), lastEventId: e.lastEventId });
    }, `/api/sync/events?ticket=${encodeURIComponent(ticket)}&since=${encodeURIComponent(lastId)}`);
    await eventually(async () => (await bios(page)).length >= 3, { what: 'resumed changes' });
    expect(await bios(page)).toEqual(['c-1', 'c-2', 'c-3']);
    await page.close();
  });
});
