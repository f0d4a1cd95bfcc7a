/**
 * What the help says, topic by topic. Commands are written without their prefix: builders
 * add the one the user types where they are (`/metaflow`, `@metaflow`, nothing in a DM).
 */
import { suggestName } from '../src/metaflow/runspec';

export type HelpTopic = 'overview' | 'runs' | 'inspect' | 'use' | 'status' | 'params' | 'export' | 'data' | 'logs' | 'version' | 'query' | 'watch';

export interface Usage {
  /** The command's words, e.g. `logs train stderr`. */
  words: string;
  what: string;
}

export interface TopicText {
  title: string;
  intro: string;
  usage: Usage[];
  notes: string[];
}

/** The query grammar, which `inspect`, `how to inspect` and every "I could not read that"
 *  answer explain. */
export const QUERY_USAGE: Usage[] = [
  { words: 'HelloFlow/42', what: 'run 42 of HelloFlow; add `/start` for a step, `/start/7` for a task' },
  { words: 'HelloFlow', what: "the flow's runs, newest first" },
  { words: 'latest run of HelloFlow', what: 'its newest run' },
  { words: "alice's HelloFlow", what: 'runs started by alice (also `alice\'s latest run of HelloFlow`)' },
  { words: 'HelloFlow tagged nightly, team:ml', what: 'runs that carry all of these tags; quote a tag with spaces' },
  { words: 'https://<metaflow-ui>/HelloFlow/42', what: 'a link from the Metaflow UI' },
];

export const HELP: Readonly<Record<HelpTopic, TopicText>> = {
  overview: {
    title: 'Metaflow in Slack',
    intro:
      'I show your Metaflow flows, runs, steps, artifacts and logs. I only read: I never start, change or stop a run.',
    usage: [
      { words: 'runs [flow or query]', what: 'flows with their latest run, or the runs of a flow' },
      { words: 'inspect [query]', what: "a run's overview: status, steps, parameters" },
      { words: 'use <query>', what: 'choose the run this conversation is about' },
      { words: 'status [query]', what: 'is it done, and how did it end?' },
      { words: 'params [query]', what: "the run's parameters" },
      { words: 'export [query]', what: "the run's metadata as a JSON file" },
      { words: 'data <step> [name]', what: "artifacts of a step's tasks" },
      { words: 'logs <step> [stdout|stderr]', what: "the end of a step's logs" },
      { words: 'version', what: 'which bot and which Metaflow backend' },
      { words: 'watch <flow>', what: 'hear in this channel when its runs fail or are lost' },
    ],
    notes: ['Add a command for details, e.g. `help inspect`; `how to inspect` explains run queries.'],
  },
  runs: {
    title: 'Listing runs',
    intro: 'Newest first, 20 at a time; *More* shows the next ones.',
    usage: [
      { words: 'runs', what: 'every flow with the status of its latest run' },
      { words: 'runs HelloFlow', what: "HelloFlow's runs" },
      { words: "runs alice's HelloFlow tagged nightly", what: 'only the runs a query matches' },
    ],
    notes: [
      ':white_check_mark: successful  :x: failed  :hourglass_flowing_sand: running  :ghost: lost (stopped reporting, probably killed)',
      'As a slash command it opens a window: pick a flow, filter by user, tag or status, and inspect any run.',
    ],
  },
  inspect: {
    title: 'Inspecting a run',
    intro: 'Name a run with a run query; the run you inspect becomes the run of this conversation.',
    usage: [
      { words: 'inspect', what: 'the run of this conversation' },
      { words: 'inspect HelloFlow/42', what: 'that run' },
      { words: 'inspect HelloFlow', what: "pick one of HelloFlow's recent runs" },
      { words: 'inspect HelloFlow/42/train', what: "a step and its tasks (`/train/7` for one task)" },
    ],
    notes: ['As a slash command it opens a window to click through the steps, tasks, artifacts and logs.'],
  },
  use: {
    title: 'Choosing the run of a conversation',
    intro:
      '`status`, `params`, `export`, `data` and `logs` without a run read the run of the conversation. In a thread it belongs to the thread; elsewhere to the channel or direct message.',
    usage: [
      { words: 'use HelloFlow/42', what: 'this conversation is now about run 42' },
      { words: 'use latest run of HelloFlow', what: 'its newest run' },
      { words: 'use HelloFlow', what: 'pick one of its recent runs' },
    ],
    notes: [],
  },
  status: {
    title: 'Run status',
    intro: 'A running run shows its current steps and active tasks; a finished one when and how it ended, with the exception of a failed task.',
    usage: [
      { words: 'status', what: 'the run of this conversation' },
      { words: 'status HelloFlow/42', what: 'that run' },
      { words: 'status latest run of HelloFlow', what: 'its newest run' },
    ],
    notes: [],
  },
  params: {
    title: 'Parameters',
    intro: 'The values a run was started with, as Python shows them.',
    usage: [
      { words: 'params', what: 'the run of this conversation' },
      { words: 'params HelloFlow/42', what: 'that run' },
    ],
    notes: [],
  },
  export: {
    title: 'Exporting a run',
    intro: 'Uploads the run, its steps, tasks, parameters and tags as a JSON file here.',
    usage: [
      { words: 'export', what: 'the run of this conversation' },
      { words: 'export HelloFlow/42', what: 'that run' },
    ],
    notes: [],
  },
  data: {
    title: 'Artifacts',
    intro: 'What the tasks of a step stored (`self.x = …`), with a preview of each value.',
    usage: [
      { words: 'data start', what: 'artifacts of step start of the run of this conversation' },
      { words: 'data start model', what: 'only the artifact `model`' },
      { words: 'data HelloFlow/42/start/7 [name]', what: 'one task of any run' },
    ],
    notes: ['A foreach step shows its first tasks; name a task (`HelloFlow/42/train/7`) for another one.'],
  },
  logs: {
    title: 'Logs',
    intro: 'The last lines of stdout and stderr of a step’s tasks (the newest attempt).',
    usage: [
      { words: 'logs train', what: 'both streams of step train of the run of this conversation' },
      { words: 'logs train stderr', what: 'only stderr' },
      { words: 'logs HelloFlow/42/train/7', what: 'one task of any run' },
    ],
    notes: ['A foreach step shows its first tasks and how many more there are.'],
  },
  version: {
    title: 'Version',
    intro: 'The bot’s version and the Metaflow metadata and datastore it reads.',
    usage: [{ words: 'version', what: 'show them' }],
    notes: [],
  },
  watch: {
    title: 'Run notifications',
    intro:
      'A channel can watch flows: I post one message per run, edit it as the run moves on, and tell each change in its thread. A failure comes with its step, task, exception and the end of stderr.',
    usage: [
      { words: 'watch HelloFlow', what: 'its runs that fail or are lost (the default events)' },
      { words: 'watch HelloFlow on started,failed,successful,lost', what: 'choose the events (`all` for every one)' },
      { words: 'watch HelloFlow user:alice tag:nightly project:fraud', what: 'only runs by that user, with that tag, of that `@project`' },
      { words: 'unwatch HelloFlow', what: "stop this channel's notifications for the flow" },
      { words: 'watching', what: 'what this channel watches' },
    ],
    notes: ['A run is lost when it has not finished and nothing was heard from it for a while (6 minutes unless configured). I must be a member of the channel to post there.'],
  },
  query: {
    title: 'Run queries',
    intro: 'Wherever a command takes a query, any of these works:',
    usage: QUERY_USAGE,
    notes: [],
  },
};

/** Topics with a button on the overview, in the order a new user needs them. */
export const TOPIC_BUTTONS: readonly HelpTopic[] = ['runs', 'inspect', 'use', 'status', 'params', 'data', 'logs', 'export', 'watch', 'query'];

const ALIASES: Readonly<Record<string, HelpTopic>> = {
  help: 'overview',
  commands: 'overview',
  run: 'runs',
  list: 'runs',
  flows: 'runs',
  parameters: 'params',
  param: 'params',
  log: 'logs',
  stdout: 'logs',
  stderr: 'logs',
  artifacts: 'data',
  artifact: 'data',
  queries: 'query',
  grammar: 'query',
  pathspec: 'query',
  unwatch: 'watch',
  watching: 'watch',
  subscribe: 'watch',
  subscriptions: 'watch',
  notifications: 'watch',
  alerts: 'watch',
};

function isTopic(word: string): word is HelpTopic {
  return Object.prototype.hasOwnProperty.call(HELP, word);
}

function topicNamed(word: string): HelpTopic | null {
  if (isTopic(word)) return word;
  return ALIASES[word] ?? null;
}

/** The topic `text` asks about ("inspect", "do I see logs?", "inspect a run"), or null: a word
 *  naming a topic anywhere, else a near spelling of the first word. */
export function helpTopicFor(text: string): HelpTopic | null {
  const words = text.toLowerCase().split(/\s+/).map((w) => w.replace(/[^a-z]/g, '')).filter((w) => w !== '');
  if (words.length === 0) return 'overview';
  for (const word of words) {
    const named = topicNamed(word);
    if (named) return named;
  }
  const near = suggestName(words[0], [...Object.keys(HELP), ...Object.keys(ALIASES)]);
  return near === null ? null : topicNamed(near);
}
