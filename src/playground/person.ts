/**
 * What the person at the playground's page does, sent to the app as Slack would send it:
 * signed with the app's signing secret, to its `/slack/events`, with trigger_ids and
 * response_urls the stand-in honours. What the app answers in the HTTP response itself
 * (a slash command's message, a view_submission's `response_action`, a block_suggestion's
 * options) is applied the way Slack applies it, and checked like everything else it sends.
 */
import { randomUUID } from 'node:crypto';
import type { FakeSlack, FakeUser, Params, ResponseOrigin } from './slack/api';
import { appHomeOpened, blockActionsPayload, blockSuggestionPayload, viewSubmissionPayload, type ActionInput, type Actor } from './slack/payloads';
import { slackClient, type SlackClient, type SlackResponse } from './slack/signed';
import { optionViolations } from './options';

export interface Problem {
  /** Who did something wrong: `slack` for what the stand-in refused, `app` for how the app
   *  answered a request, `page` for what the page could not draw. */
  source: 'slack' | 'app' | 'page';
  summary: string;
  details: string[];
}

/** Where an element was used: a message, or a modal or Home view. */
export type Surface = { kind: 'message'; channel: string; ts: string } | { kind: 'view'; id: string };

export interface App {
  /** The app's Slack endpoint, e.g. `http://127.0.0.1:4123/slack/events`. */
  url: string;
  signingSecret: string;
}

/** Slack gives up on an acknowledgement after 3 seconds and shows the person an error. */
const ACK_DEADLINE_MS = 3000;

const SLASH_COMMAND = /^(\/[a-z0-9_-]+)(?:\s+([\s\S]*))?$/i;

export class Person {
  private readonly endpoint: URL;

  constructor(
    private readonly slack: FakeSlack,
    private readonly app: App,
    private readonly user: FakeUser,
    private readonly report: (problem: Problem) => void,
    /** Told when the person changed what the page shows (their own message, a closed modal). */
    private readonly changed: () => void,
  ) {
    this.endpoint = new URL(app.url);
  }

  /** A line typed into a message box: a slash command, or a message (which may mention the app). */
  async type(channel: string, text: string, threadTs?: string): Promise<{ ts?: string }> {
    const command = SLASH_COMMAND.exec(text.trim());
    if (command) {
      await this.command(channel, command[1], command[2] ?? '', threadTs);
      return {};
    }
    return { ts: await this.say(channel, text, threadTs) };
  }

  private async command(channel: string, command: string, text: string, threadTs?: string): Promise<void> {
    const actor = this.actor(channel);
    const origin: ResponseOrigin = { channel: actor.channel.id, user: this.user.id, ...(threadTs ? { threadTs } : {}) };
    const res = await this.client(actor).command(text, {
      command,
      trigger_id: this.slack.mintTriggerId(),
      response_url: this.slack.mintResponseUrl({ origin }),
    });
    if (!this.answered(`${command} ${text}`.trim(), res)) return;
    const body = this.bodyOf(res);
    if (body !== null) this.slack.acknowledge(origin, body);
  }

  /** Slack posts the message, then sends the events the app subscribed to (app_mention,
   *  message.im: see manifest.yml). */
  private async say(channel: string, text: string, threadTs?: string): Promise<string> {
    const actor = this.actor(channel);
    const { bot, team } = this.slack.workspace;
    const slackText = text.replace(new RegExp(`@(?:${escapeRegExp(bot.name)}|metaflow(?:bot)?)\\b`, 'gi'), `<@${bot.userId}>`);
    const posted = this.slack.postAs(this.user.id, actor.channel.id, { text: slackText, ...(threadTs ? { thread_ts: threadTs } : {}) });
    this.changed();
    const event = {
      user: this.user.id,
      text: slackText,
      ts: posted.ts,
      channel: actor.channel.id,
      event_ts: posted.ts,
      team: team.id,
      client_msg_id: randomUUID(),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    const isDm = actor.channel.id.startsWith('D');
    if (isDm) await this.deliver('message.im', { type: 'message', channel_type: 'im', ...event }, actor);
    if (slackText.includes(`<@${bot.userId}>`)) await this.deliver('app_mention', { type: 'app_mention', ...event }, actor);
    return posted.ts;
  }

  /** An element used: block_actions with the surface's state, as Slack sends it. */
  async act(surface: Surface, action: ActionInput, values: Params): Promise<void> {
    const payload = this.onSurface(surface, (o) => blockActionsPayload([action], { ...o, values }));
    if (payload) this.answered(`block_actions ${action.action_id}`, await this.client(this.actor()).action(payload));
  }

  /** Type-ahead in an external select: block_suggestion, answered with options. */
  async suggest(surface: Surface, suggestion: { action_id: string; block_id: string; value: string }, values: Params): Promise<Params> {
    const payload = this.onSurface(surface, (o) => blockSuggestionPayload(suggestion, { ...o, values }));
    if (!payload) return { options: [] };
    const res = await this.client(this.actor()).action(payload);
    if (!this.answered(`block_suggestion ${suggestion.action_id}`, res)) return { options: [] };
    const body = this.bodyOf(res) ?? {};
    const violations = optionViolations(body);
    if (violations.length) {
      this.report({ source: 'app', summary: `The options for ${suggestion.action_id} break Block Kit rules`, details: violations });
      return { options: [] };
    }
    return body;
  }

  /** The modal's submit button. Returns the errors to show under its inputs, if any. */
  async submit(viewId: string, values: Params): Promise<{ errors?: Record<string, string> }> {
    const view = this.slack.view(viewId);
    if (!view) return {};
    const payload = viewSubmissionPayload(view, { actor: this.actor(), values, triggerId: this.slack.mintTriggerId({ viewId }) });
    const res = await this.client(this.actor()).action(payload);
    if (!this.answered(`view_submission ${String(view.callback_id)}`, res)) return {};
    const body = this.bodyOf(res) ?? {};
    switch (body.response_action) {
      case 'errors':
        return { errors: body.errors as Record<string, string> };
      case 'update':
        this.slack.apply('views.update', { view_id: viewId, view: body.view });
        return {};
      case 'push':
        this.slack.apply('views.push', { trigger_id: this.slack.mintTriggerId({ viewId }), view: body.view });
        return {};
      case 'clear':
        this.slack.closeView(view.root_view_id);
        this.changed();
        return {};
      case undefined:
        this.slack.closeView(viewId);
        this.changed();
        return {};
      default:
        this.report({ source: 'app', summary: `Unknown response_action ${JSON.stringify(body.response_action)} for view_submission`, details: [] });
        return {};
    }
  }

  /** The modal's close button (`all` false: the top view goes, the one below shows again) or
   *  its ✕ (`all`: the whole stack goes). view_closed when the view asked for it. */
  async close(viewId: string, all: boolean): Promise<void> {
    const view = this.slack.view(viewId);
    if (!view) return;
    this.slack.closeView(all ? view.root_view_id : viewId);
    this.changed();
    if (view.notify_on_close !== true) return;
    const { team, bot } = this.slack.workspace;
    const payload = {
      type: 'view_closed',
      team: { id: team.id, domain: team.domain },
      user: { id: this.user.id, username: this.user.name, name: this.user.name, team_id: team.id },
      api_app_id: bot.appId,
      view,
      is_cleared: all,
      is_enterprise_install: false,
      enterprise: null,
    };
    this.answered(`view_closed ${String(view.callback_id)}`, await this.client(this.actor()).action(payload));
  }

  /** The page was loaded again: as when a Slack client restarts, open modals are gone. */
  async closeAll(): Promise<void> {
    for (const stack of this.slack.modals()) await this.close(stack[0].id, true);
  }

  /** The app's Home tab opened: app_home_opened, with the view last published, if any. */
  async openHome(): Promise<void> {
    await this.deliver('app_home_opened', appHomeOpened(this.user, this.slack.homeView(this.user.id)), this.actor());
  }

  private async deliver(name: string, event: Params, actor: Actor): Promise<void> {
    this.answered(`event ${name}`, await this.client(actor).event(event));
  }

  private onSurface(surface: Surface, build: (origin: Params & { actor: Actor }) => Params): Params | null {
    if (surface.kind === 'view') {
      const view = this.slack.view(surface.id);
      return view ? build({ actor: this.actor(), view, triggerId: this.slack.mintTriggerId({ viewId: view.id }) }) : null;
    }
    const message = this.slack.messages(surface.channel).find((m) => m.ts === surface.ts);
    if (!message) return null;
    const actor = this.actor(surface.channel);
    const origin: ResponseOrigin = { channel: message.channel, user: this.user.id, messageTs: message.ts, ...(message.thread_ts ? { threadTs: message.thread_ts } : {}) };
    const { bot, team } = this.slack.workspace;
    const seen = {
      type: 'message',
      user: message.user ?? bot.userId,
      ...(message.user ? {} : { bot_id: bot.botId, app_id: bot.appId }),
      team: team.id,
      ts: message.ts,
      text: message.text ?? '',
      ...(message.blocks ? { blocks: message.blocks } : {}),
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    };
    const payload = build({ actor, message: seen, triggerId: this.slack.mintTriggerId(), responseUrl: this.slack.mintResponseUrl({ origin }) });
    // Slack sends an ephemeral message's blocks nowhere, not even back to its app.
    if (message.ephemeralTo) delete payload.message;
    payload.container = {
      ...payload.container,
      is_ephemeral: message.ephemeralTo !== undefined,
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    };
    return payload;
  }

  /** The person, in a channel (or their DM with the app, where Slack calls the channel
   *  `directmessage`). */
  private actor(channel?: string): Actor {
    const { team, bot } = this.slack.workspace;
    const found = this.slack.workspace.channel(channel ?? this.user.id);
    const where = found ?? { id: channel ?? '', name: channel ?? '', isIm: false };
    return { team, user: this.user, appId: bot.appId, channel: { id: where.id, name: where.isIm ? 'directmessage' : where.name } };
  }

  private client(actor: Actor): SlackClient {
    return slackClient({ baseUrl: this.endpoint.origin, path: this.endpoint.pathname, signingSecret: this.app.signingSecret, actor });
  }

  /** Whether the app acknowledged in time; if not, the person sees what Slack would show. */
  private answered(what: string, res: SlackResponse): boolean {
    if (res.status !== 200) {
      this.report({ source: 'app', summary: `The app answered ${what} with HTTP ${res.status}`, details: res.body ? [res.body.slice(0, 500)] : [] });
      return false;
    }
    if (res.elapsedMs > ACK_DEADLINE_MS) {
      this.report({ source: 'app', summary: `The app acknowledged ${what} after ${Math.round(res.elapsedMs)} ms; Slack gives up after 3 s`, details: [] });
      return false;
    }
    return true;
  }

  /** An acknowledgement's body: JSON, or text that Slack reads as a message's text. */
  private bodyOf(res: SlackResponse): Params | null {
    if (res.body.trim() === '') return null;
    try {
      const parsed: unknown = res.json();
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Params;
    } catch {
      // Not JSON: Slack shows it as text.
    }
    return { text: res.body };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
