/** A Metaflow UI link pasted in a conversation: unfurled into a compact run card. Links to
 *  other hosts, and runs that do not exist, are left as Slack shows them. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { MessageAttachment } from '@slack/types';
import { NotFoundError } from '../../../metaflow/errors';
import { cardFor } from '../../unfurl/card';
import { parseUiLink } from '../../unfurl/links';
import type { ListenerDeps } from '../deps';

/** Slack sends at most a handful of links per message; more would only be spam. */
const LINKS_MAX = 5;

export function linkShared(deps: ListenerDeps) {
  return async ({ event, client, logger }: SlackEventMiddlewareArgs<'link_shared'> & AllMiddlewareArgs): Promise<void> => {
    const uiUrl = deps.uiUrl;
    if (!uiUrl) return;
    const unfurls: Record<string, MessageAttachment> = {};
    for (const link of event.links.slice(0, LINKS_MAX)) {
      const target = parseUiLink(link.url, uiUrl);
      if (!target) continue;
      try {
        unfurls[link.url] = await cardFor(deps.client, target, uiUrl);
      } catch (err) {
        if (!(err instanceof NotFoundError)) logger.warn(`Could not unfurl ${link.url}:`, err);
      }
    }
    if (Object.keys(unfurls).length === 0) return;
    // Links in a message being written (the composer) come with unfurl_id and source instead.
    const { unfurl_id: unfurlId, source } = event;
    if (unfurlId && (source === 'composer' || source === 'conversations_history')) await client.chat.unfurl({ unfurl_id: unfurlId, source, unfurls });
    else await client.chat.unfurl({ channel: event.channel, ts: event.message_ts, unfurls });
  };
}
