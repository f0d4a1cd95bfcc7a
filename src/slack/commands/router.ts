/**
 * Text after `/metaflow` (or after `@metaflow`, or a direct message) → which command, with
 * which arguments. Pure, so the whole grammar is unit-tested:
 *
 *   text     = [ "/metaflow" ] , ( command | how-to | "" ) ;
 *   command  = name , [ args ] ;        (* name in any case; args are passed on untouched *)
 *   how-to   = "how" , ( "to" | "do i" | "can i" ) , topic ;   (* → help topic *)
 *   name     = "help" | "?" | "runs" | "inspect" | "use" | "status" | "params" | "parameters"
 *            | "export" | "data" | "artifacts" | "logs" | "log" | "version"
 *            | "watch" | "subscribe" | "unwatch" | "unsubscribe" | "watching" | "subscriptions" ;
 *
 * Empty text is `help`. Anything else is unknown, with the closest command as a suggestion:
 * a near spelling of the first word, else a command named anywhere in the text.
 */
import { suggestName } from '../../metaflow/runspec';

export const COMMANDS = ['help', 'runs', 'inspect', 'use', 'status', 'params', 'export', 'data', 'logs', 'version', 'watch', 'unwatch', 'watching'] as const;
export type CommandName = (typeof COMMANDS)[number];

const ALIASES: Readonly<Record<string, CommandName>> = {
  '?': 'help',
  parameters: 'params',
  param: 'params',
  artifacts: 'data',
  artifact: 'data',
  log: 'logs',
  subscribe: 'watch',
  unsubscribe: 'unwatch',
  subscriptions: 'watching',
};

export type Routed = { command: CommandName; args: string } | { unknown: string; suggestion: CommandName | null };

const SLASH_PREFIX = /^\/metaflow(?:\s+|$)/i;
const HOW_TO = /^how\s+(?:to|do\s+i|can\s+i)(?:\s+|$)/i;

function commandNamed(word: string): CommandName | null {
  if ((COMMANDS as readonly string[]).includes(word)) return word as CommandName;
  // Own keys only: `constructor` or `__proto__` would otherwise name Object.prototype's members.
  return Object.hasOwn(ALIASES, word) ? ALIASES[word] : null;
}

/** People end a word with ":" or "?" ("logs: start", "status?"); "?" alone is a command. */
function bare(word: string): string {
  const lower = word.toLowerCase();
  return lower === '?' ? lower : lower.replace(/[:,.!?]+$/, '');
}

export function route(text: string): Routed {
  const trimmed = text.trim().replace(SLASH_PREFIX, '').trim();
  if (trimmed === '') return { command: 'help', args: '' };
  const howTo = HOW_TO.exec(trimmed);
  if (howTo) return { command: 'help', args: trimmed.slice(howTo[0].length).trim() };

  const [first] = trimmed.split(/\s+/, 1);
  const args = trimmed.slice(first.length).trim();
  const named = commandNamed(bare(first));
  if (named) return { command: named, args };
  return { unknown: trimmed, suggestion: suggestionFor(trimmed) };
}

function suggestionFor(text: string): CommandName | null {
  const words = text.split(/\s+/).map(bare);
  const names = [...COMMANDS, ...Object.keys(ALIASES)];
  const near = suggestName(words[0], names);
  if (near !== null) return commandNamed(near);
  for (const word of words.slice(1)) {
    const named = commandNamed(word);
    if (named) return named;
  }
  return null;
}
