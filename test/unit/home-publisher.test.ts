/** Publishing App Home (src/slack/home/publisher.ts): debounced per user, never re-sent unchanged,
 *  and a failed build or publish holds off nothing. */
import type { webApi } from '@slack/bolt';
import type { HomeView } from '@slack/types';
import { DEBOUNCE_MS, HomePublisher, readHomeMetadata, type PublishRequest } from '../../src/slack/home/publisher';

interface Published {
  user_id: string;
  view: HomeView;
}

/** A Slack client that records each views.publish, or refuses them while `failing` is set. */
function slack(): { client: webApi.WebClient; published: Published[]; failing: boolean } {
  const fake = {
    published: [] as Published[],
    failing: false,
    client: {
      views: {
        publish: async (args: Published) => {
          if (fake.failing) throw new Error('An API error occurred: ratelimited');
          fake.published.push(args);
          return { ok: true };
        },
      },
    } as unknown as webApi.WebClient,
  };
  return fake;
}

const homeSaying = (text: string): HomeView => ({ type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

let now: number;
let publisher: HomePublisher;
let fake: ReturnType<typeof slack>;
let builds: string[];

beforeEach(() => {
  now = 1_000_000;
  publisher = new HomePublisher(() => now);
  fake = slack();
  builds = [];
});

/** Opens (or, with `force`, refreshes) `userId`'s Home, built as saying `text`. */
function open(userId: string, text = 'Your recent runs', more: Partial<PublishRequest> = {}): ReturnType<HomePublisher['publish']> {
  return publisher.publish({
    userId,
    channel: null,
    force: false,
    current: undefined,
    client: fake.client,
    build: async () => {
      builds.push(userId);
      return homeSaying(text);
    },
    ...more,
  });
}

const failingBuild = async (): Promise<HomeView> => {
  builds.push('failed');
  throw new Error('metadata service unreachable');
};

describe('App Home publishing', () => {
  it('builds a user\'s Home at most once per debounce window when the tab is opened again', async () => {
    expect(await open('U1')).toBe('published');
    now += DEBOUNCE_MS - 1;
    expect(await open('U1', 'Something new')).toBe('debounced');
    expect(builds).toEqual(['U1']);
    now += 1;
    expect(await open('U1', 'Something new')).toBe('published');
    expect(builds).toEqual(['U1', 'U1']);
    expect(fake.published.map((p) => p.view.blocks)).toEqual([homeSaying('Your recent runs').blocks, homeSaying('Something new').blocks]);
  });

  it('builds it again at once on Refresh', async () => {
    await open('U1');
    expect(await open('U1', 'Something new', { force: true })).toBe('published');
    expect(fake.published).toHaveLength(2);
  });

  it('debounces each user on their own', async () => {
    expect(await open('U1')).toBe('published');
    expect(await open('U2')).toBe('published');
    expect(await open('U1')).toBe('debounced');
    expect(fake.published.map((p) => p.user_id)).toEqual(['U1', 'U2']);
  });

  it('tries a failed build again on the next open, within the window', async () => {
    await expect(open('U1', '', { build: failingBuild })).rejects.toThrow('metadata service unreachable');
    expect(fake.published).toEqual([]);
    now += 1;
    expect(await open('U1')).toBe('published');
    expect(builds).toEqual(['failed', 'U1']);
    expect(fake.published.map((p) => p.user_id)).toEqual(['U1']);
  });

  it('tries again on the next open when Slack refused the view', async () => {
    fake.failing = true;
    await expect(open('U1')).rejects.toThrow('ratelimited');
    fake.failing = false;
    expect(await open('U1')).toBe('published');
    expect(fake.published).toHaveLength(1);
  });

  it('tries again on the next open when a Refresh failed', async () => {
    await open('U1');
    await expect(open('U1', '', { force: true, build: failingBuild })).rejects.toThrow('metadata service unreachable');
    expect(await open('U1', 'Something new')).toBe('published');
    expect(fake.published.map((p) => p.view.blocks)).toEqual([homeSaying('Your recent runs').blocks, homeSaying('Something new').blocks]);
  });

  it('does not send a view identical to the one the user has', async () => {
    await open('U1');
    now += DEBOUNCE_MS;
    expect(await open('U1')).toBe('unchanged');
    expect(await open('U1', 'Your recent runs', { force: true })).toBe('unchanged');
    expect(builds).toEqual(['U1', 'U1', 'U1']);
    expect(fake.published).toHaveLength(1);
  });

  it('recognises the view the user has by its private_metadata, as a restarted replica would', async () => {
    await open('U1');
    const current = fake.published[0].view.private_metadata;
    expect(readHomeMetadata(current)).toEqual({ hash: expect.stringMatching(/^[0-9a-f]{16}$/), channel: null });
    publisher = new HomePublisher(() => now);
    expect(await open('U1', 'Your recent runs', { current })).toBe('unchanged');
    expect(await open('U1', 'Something new', { current, force: true })).toBe('published');
    expect(fake.published).toHaveLength(2);
  });
});
