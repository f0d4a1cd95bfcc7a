/**
 * The playground in a real browser: Debian's Chromium, driven by playwright-core, walks from
 * `/metaflow runs` to a failed task's stderr by clicks, finds a flow by typing in the flow
 * picker and filters its runs, asks for help, mentions the app, and uses App Home's Browse runs
 * and Refresh. Any Block Kit violation, any answer Slack would refuse, anything the page
 * cannot draw and any browser console error fails it. Screenshots of each view are kept in
 * test-artifacts/playground/ (docs/images/ holds copies of some).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { startPlayground, type Playground } from '../../src/playground';
import type { Params } from '../../src/playground/slack/api';
import { ACTION } from '../../src/slack/ids';
import { kitchenSinkMessage, kitchenSinkModal } from '../playground/kitchen-sink';

const CHROMIUM = '/usr/bin/chromium';
const GENERAL = 'C0GENERAL1';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'playground');
// What the machine's closed network and a root user need (see .ci/run).
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const haveChromium = existsSync(CHROMIUM);
const skipReason = `no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it)`;

if (!haveChromium && !process.env.CI) {
  test.skip(`playground browser test: ${skipReason}`, () => {});
} else {
  describe('the playground in Chromium', () => {
    let playground: Playground;
    let context: BrowserContext;
    let page: Page;
    let profile: string;
    let emptyDir: string;
    const consoleErrors: string[] = [];
    let shot = 0;

    const topModal = (): Locator => page.locator('.modal-card:not(.modal-under)');
    const action = (id: string): string => `[data-action-id="${id}"]`;

    /** The page, or one element of it with `margin` pixels around it (the views under a modal
     *  peek out above it). */
    async function screenshot(name: string, of?: Locator, margin = 0): Promise<void> {
      shot += 1;
      const path = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
      const box = of && (await of.boundingBox());
      if (!box) return void (await page.screenshot({ path }));
      const x = Math.max(0, box.x - margin);
      const y = Math.max(0, box.y - margin);
      await page.screenshot({ path, clip: { x, y, width: box.width + 2 * margin, height: box.height + (box.y - y) + margin } });
    }

    /** Sends a line from the channel's message box. */
    async function type(text: string): Promise<void> {
      await page.fill('#composer-input', text);
      await page.press('#composer-input', 'Enter');
    }

    beforeAll(async () => {
      if (!haveChromium) throw new Error(`CI is set and ${skipReason}`);
      rmSync(ARTIFACTS, { recursive: true, force: true });
      mkdirSync(ARTIFACTS, { recursive: true });
      // No .metaflow above this folder, so the playground reads its demo flows.
      emptyDir = mkdtempSync(join(tmpdir(), 'playground-cwd-'));
      playground = await startPlayground({ port: 0, env: { METAFLOW_HOME: join(emptyDir, 'no-metaflow-home') }, cwd: emptyDir });
      profile = mkdtempSync(join(tmpdir(), 'playground-chromium-'));
      const { chromium } = await import('playwright-core');
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: { width: 1280, height: 800 },
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(10_000);
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (err) => consoleErrors.push(err.message));
      await page.goto(playground.url);
      await page.locator('.side-item.active').waitFor();
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await playground?.stop();
      if (profile) rmSync(profile, { recursive: true, force: true });
      if (emptyDir) rmSync(emptyDir, { recursive: true, force: true });
    });

    afterEach(async () => {
      expect(consoleErrors).toEqual([]);
      expect(playground.standIn.problems).toEqual([]);
      expect(await page.locator('#problems').isHidden()).toBe(true);
    });

    async function expectHidden(locator: Locator): Promise<void> {
      await locator.waitFor({ state: 'hidden' });
    }

    /** A Web API call as the app would make it. */
    async function api(method: string, body: Params): Promise<Params> {
      const { slack } = playground.standIn;
      const res = await fetch(slack.url + method, { method: 'POST', headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as Params;
    }

    /** A request of the page's own, as if the person had done it in another window. */
    async function ui(path: string, body: Params): Promise<Params> {
      const res = await fetch(`${playground.url}ui/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return (await res.json()) as Params;
    }

    /** Until `done` holds, for what happens outside the page. */
    async function until(done: () => boolean): Promise<void> {
      const deadline = Date.now() + 5000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`not within 5 s: ${done.toString()}`);
        await page.waitForTimeout(20);
      }
    }

    /** What the page sends to `/ui/<path>` while `during` runs, answered with `reply` instead
     *  of reaching the app (which has no listeners for these elements). */
    async function intercepted(path: string, reply: Params, during: () => Promise<void>, expected: number): Promise<Params[]> {
      const sent: Params[] = [];
      await page.route(`**/ui/${path}`, async (route) => {
        sent.push(JSON.parse(route.request().postData() ?? '{}') as Params);
        await route.fulfill({ json: reply });
      });
      try {
        await during();
        const deadline = Date.now() + 5000;
        while (sent.length < expected && Date.now() < deadline) await page.waitForTimeout(20);
      } finally {
        await page.unroute(`**/ui/${path}`);
      }
      return sent;
    }

    test('reads the demo flows', () => {
      expect(playground.data).toMatch(/demo flows/);
      expect(playground.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    });

    test('/metaflow runs, then clicks down to a failed task\'s stderr', async () => {
      await screenshot('empty-channel');
      await type('/metaflow runs');
      const modal = topModal();
      await modal.locator('.bk-section', { hasText: 'FailFlow' }).waitFor();
      await screenshot('runs-modal', modal);

      await modal.locator('.bk-section', { hasText: 'FailFlow' }).locator('button').click();
      await modal.locator(action(ACTION.inspectRun)).first().waitFor();
      await screenshot('failflow-runs', modal);

      await modal.locator(action(ACTION.inspectRun)).first().click();
      await modal.locator(action(ACTION.pickStep)).waitFor();
      expect(await page.locator('.modal-card').count()).toBe(2);
      await screenshot('run', modal);

      await modal.locator(action(ACTION.pickStep)).click();
      await page.locator('.bk-menu-option[data-value="explode"]').click();
      await modal.locator(action(ACTION.openTask)).first().waitFor();
      await screenshot('step', modal);

      await modal.locator(action(ACTION.openTask)).first().click();
      await modal.locator(action(ACTION.openStderr)).waitFor();
      await screenshot('task', modal);

      await modal.locator(action(ACTION.openStderr)).click();
      await modal.locator('.pre', { hasText: 'ValueError: boom' }).waitFor();
      await screenshot('stderr', page.locator('.modal-stack'), 32);
      await screenshot('stderr-page');

      await modal.locator('.modal-x').click();
      await expectHidden(page.locator('#modal-layer'));
    }, 60_000);

    test('/metaflow runs: the flow picker finds a flow as one types, and shows its runs with filters', async () => {
      await type('/metaflow runs');
      const modal = topModal();
      await modal.locator('.bk-context', { hasText: 'Flows 1–4 of 4' }).waitFor();

      await modal.locator(action(ACTION.runsFlow)).click();
      const menu = page.locator('.bk-menu');
      // Nothing typed yet: the app offers every flow.
      await menu.locator('.bk-menu-option[data-value="HelloFlow"]').waitFor();
      await menu.locator('.bk-menu-search').fill('Fail');
      // The page filters nothing of an external select: the app answered block_suggestion.
      await menu.locator('.bk-menu-option[data-value="HelloFlow"]').waitFor({ state: 'detached' });
      expect(await menu.locator('.bk-menu-option').allTextContents()).toEqual(['FailFlow']);
      await screenshot('flow-picker', page.locator('.modal-stack'), 32);

      await menu.locator('.bk-menu-option[data-value="FailFlow"]').click();
      await modal.locator(action(ACTION.runsStatus)).waitFor();
      expect(await modal.locator('.modal-title').textContent()).toBe('Runs');
      // The flow it shows, then the filters: user, tag, status.
      expect(await modal.locator('.bk-select-label').allTextContents()).toEqual(['FailFlow', 'Anyone', 'Any tag', 'Any status']);
      expect(await modal.locator('.bk-select').evaluateAll((els) => els.map((e) => e.getAttribute('data-action-id')))).toEqual([ACTION.runsFlow, ACTION.runsUser, ACTION.runsTag, ACTION.runsStatus]);
      await modal.locator('.bk-context', { hasText: 'Runs 1 of 1, newest first' }).waitFor();
      const runs = modal.locator('.bk-section', { has: page.locator(action(ACTION.inspectRun)) });
      expect(await runs.count()).toBe(1);
      expect(await runs.first().textContent()).toMatch(/^❌ 1795835906791541 +· +alice/);
      await screenshot('flow-runs', modal);

      await modal.locator(action(ACTION.runsStatus)).click();
      await page.locator('.bk-menu-option[data-value="successful"]').click();
      await modal.locator('.bk-section', { hasText: 'No runs of FailFlow match these filters.' }).waitFor();
      expect(await modal.locator(action(ACTION.inspectRun)).count()).toBe(0);

      await modal.locator(action(ACTION.runsStatus)).click();
      await page.locator('.bk-menu-option[data-value="failed"]').click();
      await modal.locator(action(ACTION.inspectRun)).waitFor();
      await modal.locator(action(ACTION.inspectRun)).click();
      await modal.locator(action(ACTION.pickStep)).waitFor();
      expect(await modal.locator('.bk-header').first().textContent()).toBe('FailFlow/1795835906791541');

      await modal.locator('.modal-x').click();
      await expectHidden(page.locator('#modal-layer'));
    }, 30_000);

    test('/metaflow help answers only the person, and shares in the channel', async () => {
      await type('/metaflow help');
      const answer = page.locator('.msg.msg-ephemeral').last();
      await answer.locator('.bk-header').waitFor();
      await screenshot('help-ephemeral', answer);
      await answer.locator(action(ACTION.shareInChannel)).click();
      await page.locator('.msg:not(.msg-ephemeral)', { hasText: 'Shared by' }).waitFor();
      await screenshot('help-shared');
    }, 30_000);

    test('@metaflow answers in a thread', async () => {
      await type('@metaflow runs HelloFlow');
      const thread = page.locator('#thread');
      await thread.locator('.msg[data-user="U0BOT00001"]').waitFor();
      expect(await thread.locator('.msg').first().textContent()).toContain('@metaflow runs HelloFlow');
      await screenshot('mention-thread');
    }, 30_000);

    test('App Home: Browse runs opens the runs modal, Refresh shows what changed since', async () => {
      await page.locator('.side-item[data-app]').click();
      const home = page.locator('.home-view');
      await home.waitFor();
      await home.locator(action(ACTION.homeBrowse)).waitFor();
      await screenshot('home');

      await home.locator(action(ACTION.homeBrowse)).click();
      const modal = topModal();
      await modal.locator('.bk-context', { hasText: 'Flows 1–4 of 4' }).waitFor();
      expect(await modal.locator('.modal-title').textContent()).toBe('Metaflow runs');
      await screenshot('home-browse-runs');
      await modal.locator('.modal-x').click();
      await expectHidden(page.locator('#modal-layer'));

      // FailFlow's failed run is among alice's runs; no channel watches FailFlow yet.
      const failed = home.locator('.bk-section', { hasText: 'FailFlow/1795835906791541' });
      expect(await failed.count()).toBe(1);
      // She subscribes #general to FailFlow from elsewhere while this Home stays open: no
      // app_home_opened is sent, so only Refresh can show the run under the watched flows.
      await ui('type', { channel: GENERAL, text: '/metaflow watch FailFlow' });
      await until(() => playground.standIn.slack.messages(GENERAL).some((m) => m.text === 'This channel now hears about FailFlow runs: failed, lost.'));
      expect(await failed.count()).toBe(1);
      await home.locator(action(ACTION.homeRefresh)).click();
      await failed.nth(1).waitFor();
      expect(await failed.count()).toBe(2);
      await screenshot('home-refreshed');
    }, 30_000);

    test('draws every block and element, and sends what Slack would', async () => {
      const imageUrl = `${playground.url}assets/logo.svg`;
      expect(await api('chat.postMessage', kitchenSinkMessage(imageUrl))).toMatchObject({ ok: true });
      await page.locator('.side-item[data-channel="data-science"]').click();
      const message = page.locator('.msg', { hasText: 'Every block' });
      await message.waitFor();
      const drawn = ['.bk-header', '.bk-fields', '.bk-accessory-image img', '.bk-divider', '.bk-context-image', '.bk-image img', '.bk-rich-text li', '.bk-rich-text .pre', '.bk-rich-text blockquote', '.p blockquote', '.bk-overflow', '.bk-radio_buttons', '.bk-checkboxes', 'a[href="https://metaflow.org"]', '.mention', 'code', '.emoji'];
      for (const selector of drawn) expect([selector, await message.locator(selector).count()]).not.toEqual([selector, 0]);
      expect(await page.locator('.bk-unsupported').count()).toBe(0);
      // Tall enough for the whole message: an element screenshot inside a scrolled pane is cut.
      await page.setViewportSize({ width: 1280, height: 1400 });
      await message.scrollIntoViewIfNeeded();
      await screenshot('every-block', message);
      await page.setViewportSize({ width: 1280, height: 800 });

      const sent = await intercepted(
        'action',
        {},
        async () => {
          await message.locator(action('sink_button')).click();
          await message.locator(action('sink_overflow')).click();
          await page.locator('.bk-menu-option[data-value="two"]').click();
          await message.locator(action('sink_select')).click();
          await page.locator('.bk-menu-option[data-value="failflow"]').click();
          await message.locator(`${action('sink_checks')} input[value="failed"]`).check();
          await message.locator(action('sink_danger')).click();
          await page.locator('.confirm button', { hasText: 'Yes' }).click();
        },
        5,
      );
      const surface = { kind: 'message', channel: 'C0DATASCI1', ts: expect.any(String) };
      const option = (text: string, value = text.toLowerCase()): Params => ({ text: { type: 'plain_text', text }, value });
      expect(sent.map((s) => s.surface)).toEqual(Array(5).fill(surface));
      expect(sent.map((s) => s.action)).toEqual([
        { type: 'button', action_id: 'sink_button', block_id: 'intro', text: { type: 'plain_text', text: 'Press' }, value: 'pressed', style: 'primary' },
        { type: 'overflow', action_id: 'sink_overflow', block_id: expect.any(String), selected_option: option('Two') },
        { type: 'static_select', action_id: 'sink_select', block_id: 'row', selected_option: option('FailFlow'), placeholder: { type: 'plain_text', text: 'Pick' } },
        { type: 'checkboxes', action_id: 'sink_checks', block_id: 'row', selected_options: [{ ...option('Failed'), description: { type: 'plain_text', text: 'only failed runs' } }] },
        { type: 'button', action_id: 'sink_danger', block_id: 'row', text: { type: 'plain_text', text: 'Careful' }, style: 'danger' },
      ]);
      expect(sent[4].values.row).toEqual({
        sink_select: { type: 'static_select', selected_option: option('FailFlow') },
        sink_radio: { type: 'radio_buttons', selected_option: option('Mine') },
        sink_checks: { type: 'checkboxes', selected_options: [{ ...option('Failed'), description: { type: 'plain_text', text: 'only failed runs' } }] },
      });
    }, 30_000);

    test('a modal\'s inputs: what Slack\'s client refuses itself, the state it submits, the errors it shows', async () => {
      expect(await api('views.open', { trigger_id: playground.standIn.slack.mintTriggerId(), view: kitchenSinkModal() })).toMatchObject({ ok: true });
      const modal = topModal();
      await modal.locator('.bk-input').first().waitFor();
      const submit = modal.locator('.modal-submit');
      expect(await intercepted('submit', {}, () => submit.click(), 0)).toEqual([]);
      expect(await modal.locator('.bk-error:not([hidden])').allTextContents()).toEqual(Array(3).fill('Please complete this required field.'));

      await modal.locator(action('q')).fill('HelloFlow/42');
      await modal.locator(action('f')).click();
      await page.locator('.bk-menu-option[data-value="helloflow"]').click();
      await modal.locator(`${action('r')} input[value="everyone"]`).check();
      const [submitted] = await intercepted('submit', { errors: { query: 'No run HelloFlow/42' } }, () => submit.click(), 1);
      const option = (text: string): Params => ({ text: { type: 'plain_text', text }, value: text.toLowerCase() });
      expect(submitted.values).toEqual({
        query: { q: { type: 'plain_text_input', value: 'HelloFlow/42' } },
        notes: { n: { type: 'plain_text_input', value: null } },
        flow: { f: { type: 'static_select', selected_option: option('HelloFlow') } },
        since: { d: { type: 'datepicker', selected_date: '2026-11-01' } },
        who: { r: { type: 'radio_buttons', selected_option: option('Everyone') } },
      });
      await modal.locator('.bk-error', { hasText: 'No run HelloFlow/42' }).waitFor();
      await screenshot('every-input', modal);
      await modal.locator('.modal-x').click();
      await expectHidden(page.locator('#modal-layer'));
    }, 30_000);
  });
}
