/** Who exists in the fake workspace. Payload builders and the fake Web API share these so a
 *  command "sent" by the default user in the default channel refers to things the fake knows. */

export interface FakeTeam {
  id: string;
  domain: string;
  name: string;
}

export interface FakeBot {
  userId: string;
  botId: string;
  appId: string;
  name: string;
}

export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
  email?: string;
  tz?: string;
  isBot?: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  /** Whether the bot was invited; posting elsewhere fails with `not_in_channel`. Default true. */
  isMember?: boolean;
  /** The people in it; default everyone in the workspace. */
  members?: readonly string[];
}

export const FAKE_TEAM: FakeTeam = { id: 'T0TEAM0001', domain: 'metaflow-test', name: 'Metaflow Test' };

export const FAKE_BOT: FakeBot = { userId: 'U0BOT00001', botId: 'B0BOT00001', appId: 'A0APP00001', name: 'metaflowbot' };

export const DEFAULT_USERS: readonly FakeUser[] = [
  { id: 'U0ALICE001', name: 'alice', realName: 'Alice Adams', email: 'alice@example.com', tz: 'Europe/Amsterdam' },
  { id: 'U0BOB00001', name: 'bob', realName: 'Bob Brown', email: 'bob@example.com', tz: 'America/New_York' },
];

export const DEFAULT_CHANNELS: readonly FakeChannel[] = [
  { id: 'C0GENERAL1', name: 'general' },
  { id: 'C0DATASCI1', name: 'data-science' },
];

/** A channel as the fake Web API sees it; a DM with the bot is one too. */
export interface ResolvedChannel {
  id: string;
  name: string;
  isIm: boolean;
  isPrivate: boolean;
  isMember: boolean;
  /** For a DM: the user on the other side. */
  user?: string;
}

/** The users and channels of one fake workspace. */
export class Workspace {
  private readonly users: Map<string, FakeUser>;
  private readonly channels: FakeChannel[];

  constructor(
    readonly team: FakeTeam,
    readonly bot: FakeBot,
    users: readonly FakeUser[],
    channels: readonly FakeChannel[],
  ) {
    this.users = new Map(users.map((u) => [u.id, u]));
    this.channels = [...channels];
  }

  user(id: unknown): FakeUser | undefined {
    return typeof id === 'string' ? this.users.get(id) : undefined;
  }

  /** The channels `user` is in, as `users.conversations` lists them to the bot: private
   *  ones only where the bot is a member too. */
  channelsOf(user: string): ResolvedChannel[] {
    return this.channels
      .filter((c) => (c.members ?? [...this.users.keys()]).includes(user) && (!c.isPrivate || (c.isMember ?? true)))
      .map((c) => this.channel(c.id))
      .filter((c): c is ResolvedChannel => c !== undefined);
  }

  /** A channel by id or name (`#general`, `general`). A user id or `D…` id means the user's
   *  DM with the bot, which is what posting to a user id does on Slack. */
  channel(ref: unknown): ResolvedChannel | undefined {
    if (typeof ref !== 'string' || ref === '') return undefined;
    const name = ref.replace(/^#/, '');
    const found = this.channels.find((c) => c.id === ref || c.name === name);
    if (found) {
      return { id: found.id, name: found.name, isIm: false, isPrivate: found.isPrivate ?? false, isMember: found.isMember ?? true };
    }
    const user = this.user(ref) ?? this.user(ref.replace(/^D/, 'U'));
    if (!user) return undefined;
    return { id: `D${user.id.slice(1)}`, name: user.id, isIm: true, isPrivate: true, isMember: true, user: user.id };
  }
}
