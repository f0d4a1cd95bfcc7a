import type { MetaflowClient } from '../metaflow/client';
import type { StateStore } from '../state/store';

/** What every listener may use; handed to each `register(app, deps)`. */
export interface SlackDeps {
  client: MetaflowClient;
  state: StateStore;
  /** Base URL of the Metaflow UI, for links; null when not configured. */
  uiUrl: string | null;
  version: string;
  /** The backends in one line, without credentials (for `/metaflow version`). */
  backend: string;
}
