/**
 * Whatever a user types after `/metaflow` (or to `@metaflow`): the router names a command or
 * calls it unknown with at most a suggestion, and never throws; run for real against the
 * fixture runs, every answer is a message Slack accepts and no failure is an unforeseen one.
 */
import { LogLevel, type Logger } from '@slack/bolt';
import fc from 'fast-check';
import { COMMANDS, route, type CommandName } from '../../src/slack/commands/router';
import { runCommand } from '../../src/slack/commands';
import type { CommandContext } from '../../src/slack/commands/context';
import type { OutgoingFile, Reply } from '../../src/slack/reply';
import { MemoryStateStore } from '../../src/state/memory';
import type { StateStore } from '../../src/state/store';
import type { SlackMessage } from '../../views/components/message';
import { validateMessage } from '../../views/validate';
import { flatText } from '../fixtures/slack';
import { localClient } from '../support/local-client';

const NAMES = [...COMMANDS, '?', 'parameters', 'param', 'artifacts', 'artifact', 'log'];
const MISSPELLINGS = ['lgos', 'stauts', 'inpsect', 'rnus', 'hlep', 'verison', 'exprot', 'dtaa', 'parmas', 'usee'];
/** Words every JS object answers to; a lookup table must not mistake them for commands. */
const PROTOTYPE_WORDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

const separator = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', ' \u3000 ');
const casing = (word: string): fc.Arbitrary<string> => fc.constantFrom(word, word.toUpperCase(), word[0].toUpperCase() + word.slice(1));

const commandWord = fc.oneof(
  fc.constantFrom(...NAMES, ...MISSPELLINGS, ...PROTOTYPE_WORDS).chain(casing),
  fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(':', '?', ',', '.', '!', '::', '?!')).map(([w, p]) => w + p),
  fc.constantFrom('how to', 'How do I', 'how can i', 'how', '/metaflow', '/METAFLOW', '/metaflowx', '@metaflow'),
);

/** Arguments that reach each handler's own parsing: fixture names, pathspecs, and junk. */
const argWord = fc.oneof(
  fc.constantFrom(
    'HelloFlow', 'helloflow', 'BranchFlow', 'FailFlow', 'ForeachFlow', 'LogsFlow', 'ArtifactsFlow', 'NoSuchFlow',
    'HelloFlow/1795835881413377', 'HelloFlow/1795835881413377/start', 'HelloFlow/1795835881413377/start/1', 'HelloFlow/42',
    'FailFlow/1795835906791541', 'BranchFlow/1795835898163077/join', 'ArtifactsFlow/1795835921266226/end/2',
    'start', 'end', 'join', 'stdout', 'stderr', 'all', 'int_val', 'blob_5mb', 'pandas_df', 'latest', 'run', 'of', 'tagged',
    "alice's", 'nightly', '"two words"', '<https://ui.example.com/HelloFlow/42|HelloFlow/42>', '`HelloFlow`', '<!channel>',
    '*', '..', '/', '-1', '99999999999999999999', '0', ...PROTOTYPE_WORDS,
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

const commandText = fc
  .tuple(fc.constantFrom('', ' ', '\n'), commandWord, fc.array(fc.tuple(separator, argWord), { maxLength: 4 }), fc.constantFrom('', ' ', '\n'))
  .map(([lead, word, args, tail]) => lead + word + args.map(([s, a]) => s + a).join('') + tail);

const anyText = fc.oneof(
  { arbitrary: commandText, weight: 5 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
);

describe('route', () => {
  it('names a command with trimmed arguments, or an unknown text with a command or nothing as suggestion', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const routed = route(text);
        if ('command' in routed) {
          expect(COMMANDS).toContain(routed.command);
          expect(routed.args).toBe(routed.args.trim());
        } else {
          expect(routed.unknown.trim()).toBe(routed.unknown);
          expect(routed.unknown.length).toBeGreaterThan(0);
          if (routed.suggestion !== null) expect(COMMANDS).toContain(routed.suggestion);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('routes a command it named back to itself when it is typed by its name', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const routed = route(text);
        if (!('command' in routed)) return;
        const again = route(`${routed.command} ${routed.args}`);
        expect(again).toEqual(routed);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads the first word like a person would: a bare name or alias routes, whatever follows', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES).chain(casing), fc.array(argWord, { maxLength: 3 }), (word, args) => {
        const routed = route([word, ...args].join(' '));
        expect('command' in routed).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('every command line, run against the fixture runs', () => {
  interface Recorded {
    messages: SlackMessage[];
    files: OutgoingFile[];
    errors: unknown[][];
  }

  let state: StateStore;
  const client = localClient();

  beforeAll(() => {
    state = new MemoryStateStore();
  });

  afterAll(async () => {
    await state.close();
  });

  function context(recorded: Recorded): CommandContext {
    const reply: Reply = {
      conversation: { channel: 'C0FUZZ0001' },
      send: async (message) => void recorded.messages.push(message),
      upload: async (file) => void recorded.files.push(file),
    };
    const at = (level: string) => (...args: unknown[]) => {
      if (level === 'error') recorded.errors.push(args);
    };
    const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), setLevel() {}, getLevel: () => LogLevel.INFO, setName() {} };
    return { deps: { client, state, uiUrl: 'https://ui.example.com', version: '0.0.0-fuzz', backend: 'local' }, reply, logger, prefix: '/metaflow' };
  }

  /** The help-topic bug the `it.failing` below pins down; excluded here so the property keeps testing the rest. */
  const asksHelpOnConstructor = (text: string): boolean => {
    const routed = route(text);
    return 'command' in routed && routed.command === 'help' && /constructor/i.test(routed.args);
  };

  it('answers at least once, with messages Slack accepts, and never with an unforeseen failure', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        fc.pre(!asksHelpOnConstructor(text));
        const recorded: Recorded = { messages: [], files: [], errors: [] };
        await runCommand(text, context(recorded));
        expect(recorded.messages.length + recorded.files.length).toBeGreaterThan(0);
        for (const message of recorded.messages) {
          expect(validateMessage(message)).toEqual([]);
          expect(flatText(message.blocks)).not.toContain('Something went wrong');
        }
        expect(recorded.errors).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it.each(PROTOTYPE_WORDS)('answers %s as an unknown command, not as a failure', async (word) => {
    const recorded: Recorded = { messages: [], files: [], errors: [] };
    await runCommand(word, context(recorded));
    expect(flatText(recorded.messages[0].blocks)).toContain("Sorry, I don't understand");
    expect(recorded.errors).toEqual([]);
  });

  // Known bug, reported: views/help.ts topicNamed reads ALIASES['constructor'] from Object.prototype (views/** is another engineer's).
  it.failing('answers `help constructor` with help, not with a failure', async () => {
    const recorded: Recorded = { messages: [], files: [], errors: [] };
    await runCommand('help constructor', context(recorded));
    expect(flatText(recorded.messages[0].blocks)).not.toContain('Something went wrong');
    expect(recorded.errors).toEqual([]);
  });

  it('suggests, for a misspelt command, the command it resembles', async () => {
    const cases: [string, CommandName][] = [
      ['lgos start', 'logs'],
      ['stauts', 'status'],
      ['inpsect HelloFlow', 'inspect'],
    ];
    for (const [text, suggestion] of cases) {
      const recorded: Recorded = { messages: [], files: [], errors: [] };
      await runCommand(text, context(recorded));
      expect(flatText(recorded.messages[0].blocks)).toContain(`Did you mean \`/metaflow ${suggestion}\`?`);
    }
  });
});
