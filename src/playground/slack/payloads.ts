/**
 * What Slack sends to the app (slash commands, interactivity, Events API), with the fields of
 * slack-platform.md §3 filled in for a default user in a default channel. The signed HTTP client
 * sends these; a Socket Mode test puts them in envelopes as they are.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_CHANNELS, DEFAULT_USERS, FAKE_BOT, FAKE_TEAM, type FakeChannel, type FakeTeam, type FakeUser } from './directory';
import type { Params } from './http';

/** Who does something, and where. */
export interface Actor {
  team: FakeTeam;
  user: FakeUser;
  channel: FakeChannel;
  appId: string;
}

export const DEFAULT_ACTOR: Actor = { team: FAKE_TEAM, user: DEFAULT_USERS[0], channel: DEFAULT_CHANNELS[0], appId: FAKE_BOT.appId };

/** The legacy verification token Slack still sends; Bolt ignores it. */
const LEGACY_TOKEN = 'legacy-verification-token';

/** Slack's `ts` format, seconds with microseconds. */
export function slackTs(ms: number = Date.now()): string {
  return (ms / 1000).toFixed(6);
}

function randomTriggerId(): string {
  return `${Math.floor(Date.now() / 1000)}.0.${randomBytes(10).toString('hex')}`;
}

function randomResponseUrl(team: FakeTeam): string {
  return `https://hooks.slack.com/commands/${team.id}/0/${randomBytes(12).toString('hex')}`;
}

export interface Interaction {
  actor?: Actor;
  /** Default: a random id that no fake Slack knows. */
  triggerId?: string;
  /** Default: a hooks.slack.com URL that nothing answers. */
  responseUrl?: string;
}

/** A slash command's form fields (one field per key, all strings). */
export function slashCommandFields(text: string, i: Interaction & { command?: string } = {}): Record<string, string> {
  const { team, user, channel, appId } = i.actor ?? DEFAULT_ACTOR;
  return {
    token: LEGACY_TOKEN,
    team_id: team.id,
    team_domain: team.domain,
    channel_id: channel.id,
    channel_name: channel.name,
    user_id: user.id,
    user_name: user.name,
    command: i.command ?? '/metaflow',
    text,
    api_app_id: appId,
    is_enterprise_install: 'false',
    response_url: i.responseUrl ?? randomResponseUrl(team),
    trigger_id: i.triggerId ?? randomTriggerId(),
  };
}

function envelope(type: string, actor: Actor): Params {
  return {
    type,
    team: { id: actor.team.id, domain: actor.team.domain },
    user: { id: actor.user.id, username: actor.user.name, name: actor.user.name, team_id: actor.team.id },
    api_app_id: actor.appId,
    token: LEGACY_TOKEN,
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** One element's action; `type` defaults to `button` and `block_id` to `actions`. */
export type ActionInput = Params & { action_id: string };

export interface Origin {
  /** The modal or Home view the action came from (e.g. `fakeSlack.view(id)`); otherwise the
   *  action comes from a message. */
  view?: Params;
  /** The message the action came from; default a bare message in the actor's channel. */
  message?: Params;
  /** `state.values` of the surface. */
  values?: Params;
}

function where(actor: Actor, s: Origin, responseUrl: string): Params {
  if (s.view) return { container: { type: 'view', view_id: s.view.id }, view: { ...s.view, state: { values: s.values ?? {} } } };
  const message = s.message ?? { type: 'message', ts: slackTs(), text: '' };
  return {
    container: { type: 'message', message_ts: message.ts, channel_id: actor.channel.id, is_ephemeral: false },
    channel: { id: actor.channel.id, name: actor.channel.name },
    message,
    response_url: responseUrl,
    state: { values: s.values ?? {} },
  };
}

export function blockActionsPayload(actions: ActionInput[], i: Interaction & Origin = {}): Params {
  const actor = i.actor ?? DEFAULT_ACTOR;
  return {
    ...envelope('block_actions', actor),
    trigger_id: i.triggerId ?? randomTriggerId(),
    ...where(actor, i, i.responseUrl ?? randomResponseUrl(actor.team)),
    actions: actions.map((a) => ({ type: 'button', block_id: 'actions', action_ts: slackTs(), ...a })),
  };
}

export function viewSubmissionPayload(view: Params, i: Interaction & { values?: Params } = {}): Params {
  const actor = i.actor ?? DEFAULT_ACTOR;
  return {
    ...envelope('view_submission', actor),
    trigger_id: i.triggerId ?? randomTriggerId(),
    view: { ...view, state: { values: i.values ?? {} } },
    response_urls: [],
  };
}

export interface Suggestion {
  action_id: string;
  block_id?: string;
  /** What the user typed. */
  value: string;
}

export function blockSuggestionPayload(s: Suggestion, i: Interaction & Origin = {}): Params {
  const actor = i.actor ?? DEFAULT_ACTOR;
  const { container, view, channel } = where(actor, i, '');
  return {
    ...envelope('block_suggestion', actor),
    action_id: s.action_id,
    block_id: s.block_id ?? 'input',
    value: s.value,
    container,
    ...(view ? { view } : { channel }),
  };
}

export interface EventOptions {
  actor?: Actor;
  eventId?: string;
}

/** An Events API delivery (`event_callback`) around `event`. */
export function eventEnvelope(event: Params, o: EventOptions = {}): Params {
  const { team, appId } = o.actor ?? DEFAULT_ACTOR;
  const now = Date.now();
  return {
    token: LEGACY_TOKEN,
    team_id: team.id,
    api_app_id: appId,
    event: { event_ts: slackTs(now), ...event },
    type: 'event_callback',
    event_id: o.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(now / 1000),
    authorizations: [{ enterprise_id: null, team_id: team.id, user_id: FAKE_BOT.userId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** The user opened the app's Home tab. */
export function appHomeOpened(user: FakeUser = DEFAULT_USERS[0], view?: Params): Params {
  return { type: 'app_home_opened', user: user.id, channel: `D${user.id.slice(1)}`, tab: 'home', ...(view ? { view } : {}) };
}
