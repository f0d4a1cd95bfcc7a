/**
 * Every action_id, block_id and callback_id the bot puts in a message or view, and what its
 * button values carry. Listeners register on these names and views build with them, so nothing
 * is spelled twice.
 */
import { z } from 'zod';
import { BUTTON_VALUE_MAX } from '../../views/limits';

export const ACTION = {
  /** Re-posts an ephemeral answer for the whole channel. */
  shareInChannel: 'share_in_channel',
  /** One of several runs a query matched: runs a command on it. */
  pickRun: 'pick_run',
  runsMore: 'runs_more',
  flowsMore: 'flows_more',
  /** Link buttons still send an action, which must be acknowledged. */
  openInUi: 'open_in_ui',

  // Modals: each moves the view from where its private_metadata says it is (navigation.ts).
  /** The flow picker (external_select, type-ahead over every flow). */
  runsFlow: 'runs_flow',
  runsUser: 'runs_user',
  runsTag: 'runs_tag',
  runsStatus: 'runs_status',
  /** A flow in the flow list. */
  pickFlow: 'pick_flow',
  /** A run's Inspect button, in the runs modal and on App Home. */
  inspectRun: 'inspect_run',
  pickStep: 'pick_step',
  openTask: 'open_task',
  openArtifact: 'open_artifact',
  /** A task's logs, or the other stream in the logs view; two ids, as both sit in one row. */
  openStdout: 'open_stdout',
  openStderr: 'open_stderr',
  logAttempt: 'log_attempt',
  uploadLog: 'upload_log',
  uploadArtifact: 'upload_artifact',
  pagePrevious: 'page_previous',
  pageNext: 'page_next',
  back: 'nav_back',

  /** The text input of "Inspect a run…"; read on submission, it sends no action. */
  inspectQueryInput: 'inspect_query_input',

  // App Home.
  homeBrowse: 'home_browse_runs',
  homeInspect: 'home_inspect_run',
  homeRefresh: 'home_refresh',
} as const;

export const CALLBACK = {
  /** Every modal that shows a place in Metaflow. */
  screen: 'metaflow_screen',
  /** "Inspect a run…": a query to type. */
  inspect: 'inspect_query',
} as const;

/** Help topic buttons share one actions block, where action ids must differ. */
const HELP_TOPIC_PREFIX = 'help_topic:';
export const HELP_TOPIC_ACTION = /^help_topic:/;

export function helpTopicActionId(topic: string): string {
  return HELP_TOPIC_PREFIX + topic;
}

export function helpTopicOf(actionId: string): string {
  return actionId.slice(HELP_TOPIC_PREFIX.length);
}

export const BLOCK = {
  share: 'reply_share',
  /** The input of "Inspect a run…"; view_submission errors point at it. */
  inspectQuery: 'inspect_query',
  flowPicker: 'flow_picker',
  filters: 'run_filters',
  paging: 'paging',
  navigation: 'navigation',
  homeActions: 'home_actions',
} as const;

export const pickRunValue = z.object({ command: z.string(), query: z.string() });
export const runsPageValue = z.object({ query: z.string(), cursor: z.string(), offset: z.number().int().min(0) });
export const flowsPageValue = z.object({ offset: z.number().int().min(0) });

/** How to produce an answer again: a command line, or a page a "More" button asked for. */
export const replayValue = z.union([
  z.strictObject({ command: z.string() }),
  z.strictObject({ runs: runsPageValue }),
  z.strictObject({ flows: flowsPageValue }),
]);
export type Replay = z.infer<typeof replayValue>;

/** "Share in channel" re-renders the answer from this instead of keeping a copy anywhere. */
export const shareValue = z.object({ replay: replayValue, channel: z.string().min(1) });

export const inspectRunValue = z.object({ flow: z.string(), run: z.string() });
export const flowValue = z.object({ flow: z.string() });
export const taskValue = z.object({ task: z.string() });
export const artifactValue = z.object({ name: z.string() });
/** "Next" on a list the client pages with cursors carries the next page's cursor. */
export const nextPageValue = z.object({ cursor: z.string().optional() });

/** Select option values: "any" clears a filter; the rest name what was picked. */
export const ANY = 'any';
/** The runs modal's tag select shows a query's several tags as one option that keeps them. */
export const KEEP_TAGS = 'keep';
export const USER_OPTION_PREFIX = 'u:';
export const TAG_OPTION_PREFIX = 't:';

/** JSON for a button value, or null when it would exceed Slack's limit (the caller then
 *  leaves the button out rather than sending a value that no longer parses). */
export function encodeValue<T>(schema: z.ZodType<T>, value: T): string | null {
  const text = JSON.stringify(schema.parse(value));
  return text.length <= BUTTON_VALUE_MAX ? text : null;
}

/** The value of a button the bot made, or null for anything else (an old or forged payload). */
export function decodeValue<T>(schema: z.ZodType<T>, text: string | undefined): T | null {
  if (text === undefined) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The value of the option picked in a select; '' for a payload without one, which Slack never
 * sends but a forged request may (a click is acked after this is read, so it must not throw).
 */
export function selectedValue(action: { selected_option?: { value?: unknown } | null }): string {
  const value = action.selected_option?.value;
  return typeof value === 'string' ? value : '';
}
