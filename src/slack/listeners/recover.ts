/** How a replica finishes a modal answer another one left behind (answers.ts): as the listener would have. */
import type { RespondFn } from '@slack/bolt';
import type { Finish } from '../answers';
import { runCommand } from '../commands';
import { publishHome } from '../home/publish';
import { slashReply } from '../reply';
import { commandModal } from './commands/metaflow';
import type { ListenerDeps } from './deps';
import { replaceView, showScreen } from './surface';

/** The slash command of manifest.yml: a recovered command's errors name it. */
const COMMAND = '/metaflow';
const RESPOND_TIMEOUT_MS = 10_000;

/** What Bolt's `respond` does: a JSON post to the command's response_url. */
function respondTo(responseUrl: string): RespondFn {
  return async (message) => {
    // Bounded: recoveries run one after the other, so one hung post must not stall the rest.
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(typeof message === 'string' ? { text: message } : message),
      signal: AbortSignal.timeout(RESPOND_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`Slack answered ${res.status} to a response_url post`);
    return res;
  };
}

export function finishAnswer(deps: ListenerDeps): Finish {
  return async (io, view, user, target) => {
    if ('nav' in target) {
      await showScreen(deps, io, view, user, target.nav);
      return;
    }
    if ('home' in target) {
      await publishHome(deps, { userId: user, channel: target.home.channel, force: true, current: undefined, ...io });
      return;
    }
    if (target.responseUrl) {
      // No modal was opened, and the trigger is long dead: the answer is a message.
      const reply = slashReply({ respond: respondTo(target.responseUrl), client: io.client, channel: target.channel, replay: { command: target.command } });
      await runCommand(target.command, { deps, reply, logger: io.logger, prefix: COMMAND });
      return;
    }
    const load = commandModal(target.command, COMMAND, deps, target.channel, user, io);
    if (load) await replaceView(io, view, await load());
  };
}
