/**
 * A Metaflow backend slower than Slack's 3 seconds: the modal still opens (its loading view
 * goes out before any Metaflow read, while the trigger_id is alive) and fills when the data
 * comes; a submitted query is answered in time with a loading view, then the run.
 */
import { startFakeSlack, type FakeSlack, type FakeView } from '../support/fake-slack';
import { TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../support/bot';
import type { Params } from '../support/fake-slack/http';
import { slackClient } from '../support/signed';
import { localClient } from '../support/local-client';
import type { MetaflowClient } from '../../src/metaflow/client';
import { ACK_MS, driver, isLoading, textOf, type Driver } from './drive';
import { startSlackApp, type RunningSlackApp } from './slack-app';

const DELAY_MS = 3500;

/** The fixture client, with every read taking longer than Slack waits for anything. */
function slow(client: MetaflowClient): MetaflowClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await new Promise((r) => setTimeout(r, DELAY_MS));
        return value.apply(target, args);
      };
    },
  });
}

let fake: FakeSlack;
let app: RunningSlackApp;
let d: Driver;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  app = await startSlackApp({ slackApiUrl: fake.url, client: slow(localClient()), userMapping: { rule: 'email', map: {} } });
  d = driver(fake, slackClient({ baseUrl: app.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake }), { settleMs: 20_000 });
});

afterAll(async () => {
  await app.stop();
  await fake.close();
});

it('opens the runs modal at once and fills it when Metaflow answers', async () => {
  const started = Date.now();
  const res = await d.slack.command('runs FailFlow');
  expect(res.elapsedMs).toBeLessThan(ACK_MS);
  const opened = await fake.waitFor('views.open', () => true, 2000);
  expect((opened.response as Params).ok).toBe(true);
  expect(opened.at - started).toBeLessThan(ACK_MS);
  const filled = await fake.waitFor('views.update', (c) => c.params.view_id === (opened.response as Params).view.id, 15_000);
  expect(textOf(filled.params.view)).toContain('1795835906791541');
}, 30_000);

it('answers a submitted query in time with a loading view, then shows the run', async () => {
  const outcome = await d.command('inspect', { channel_id: 'C0DATASCI1' });
  const input = outcome.view as FakeView;
  expect(input.callback_id).toBe('inspect_query');
  const submitted = await d.submit(input, { inspect_query: { inspect_query_input: { type: 'plain_text_input', value: 'FailFlow/1795835906791541' } } });
  expect(submitted.ackMs).toBeLessThan(ACK_MS);
  expect(submitted.ack?.response_action).toBe('update');
  expect(isLoading(submitted.ack?.view)).toBe(true);
  expect(submitted.view?.id).toBe(input.id);
  expect(submitted.view?.blocks[0].text.text).toBe('FailFlow/1795835906791541');
}, 40_000);
