import type { MetaflowClient } from '../metaflow/client';
import type { StateStore } from '../state/store';
import type { AnswerSettings } from './answers';

/**
 * How a Slack user is matched to a Metaflow user ("my runs", the "Mine" filter): the local part
 * of their Slack email, their Slack handle, or only the explicit map. An entry in `map` (Slack
 * user id → Metaflow user) wins under every rule.
 */
export interface UserMapping {
  rule: 'email' | 'handle' | 'map';
  map: Record<string, string>;
}

export const DEFAULT_USER_MAPPING: UserMapping = { rule: 'email', map: {} };

/** What every listener may use; handed to each `register(app, deps)`. */
export interface SlackDeps {
  client: MetaflowClient;
  state: StateStore;
  /** Base URL of the Metaflow UI, for links; null when not configured. */
  uiUrl: string | null;
  version: string;
  /** The backends in one line, without credentials (for `/metaflow version`). */
  backend: string;
  /** Default DEFAULT_USER_MAPPING (METAFLOWBOT_USER_RULE, METAFLOWBOT_USER_MAP). */
  userMapping?: UserMapping;
  /** This replica's leases on modal answers under way; default ANSWER_DEFAULTS and a new replica id. */
  answerSettings?: Partial<AnswerSettings>;
}
