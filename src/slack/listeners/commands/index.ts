import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps';
import { metaflow } from './metaflow';

const SLASH_COMMAND = '/metaflow';

export function register(app: App, deps: ListenerDeps): void {
  app.command(SLASH_COMMAND, metaflow(deps));
}
