/**
 * The S3 datastore failing under a running bot while a user reads an artifact: a request that
 * hangs (the SDK's 10-second timeout, then its retry), every request hanging, S3 refusing
 * connections. The user hears one clear sentence within 3 seconds, and the next command works
 * once S3 is back.
 */
import { ANSWER_WITHIN_MS, ask, expectClearSentence, startFaultHarness, type FaultHarness } from './support/harness';

let h: FaultHarness;

beforeEach(async () => {
  h = await startFaultHarness({ s3: true });
}, 30_000);

afterEach(async () => {
  await h.close();
});

/** An artifact of a recorded run, read from S3: `scaled` is 25.0. */
const DATA = 'data ParamFlow/3/end/11 scaled';
const DATA_ANSWER = '25.0';

async function expectRecovered(): Promise<void> {
  const asked = await ask(h, DATA);
  const answer = await asked.answer(1, ANSWER_WITHIN_MS);
  expect(answer.text).toContain(DATA_ANSWER);
  expect(answer.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
}

it('reads the artifact through the proxy when nothing is wrong', async () => {
  await expectRecovered();
  expect(h.s3Proxy.counts.forwarded).toBeGreaterThan(0);
});

it('one request timing out: says it is still trying within 3 s, then answers after the retry', async () => {
  h.s3Proxy.stall(1);
  const asked = await ask(h, DATA);
  const first = await asked.answer(1, 15_000);
  expect(first.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
  expectClearSentence(first);
  expect(first.text).toMatch(/still/i);
  const real = await asked.answer(2, 25_000);
  expect(real.text).toContain(DATA_ANSWER);
  expect(h.s3Proxy.counts.stalled).toBe(1);
  await expectRecovered();
}, 40_000);

it('every request timing out: says it is still trying within 3 s, then that Metaflow took too long', async () => {
  h.s3Proxy.stall(Infinity);
  const asked = await ask(h, DATA);
  const first = await asked.answer(1, 15_000);
  expect(first.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
  expectClearSentence(first);
  // Three tries of 10 s each (the SDK's standard retry mode), then the failure.
  const last = await asked.answer(2, 50_000);
  expect(last.text).toContain('Metaflow took too long to answer.');
  expectClearSentence(last);
  h.s3Proxy.pass();
  await expectRecovered();
}, 70_000);

it('refusing connections: one clear sentence within 3 s, then works again once it is back', async () => {
  await h.s3Proxy.down();
  try {
    const asked = await ask(h, DATA);
    const first = await asked.answer(1, 15_000);
    expect(first.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
    expectClearSentence(first);
    // The metadata service is fine: the sentence must not send the user (or the operator) there.
    expect(first.text).toContain("I can't reach Metaflow's datastore (S3) right now.");
    await new Promise((r) => setTimeout(r, 3000));
    for (const answer of asked.answers()) expectClearSentence(answer);
  } finally {
    await h.s3Proxy.up();
  }
  await expectRecovered();
}, 40_000);
