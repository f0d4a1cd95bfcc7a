/**
 * How modals change, for every listener that opens or moves one:
 * - a modal opens with a loading view at once (a trigger_id lives 3 seconds), then the data
 *   replaces it (views.update with the returned id and hash);
 * - a click deeper pushes a view while Slack's stack has room (3 views) and replaces the view
 *   in place after that; Back, paging and filters replace in place;
 * - where the view is comes from its own private_metadata (navigation.ts), so any replica
 *   answers; one the bot cannot read gets the out-of-date view.
 */
import type { AllMiddlewareArgs, BasicElementAction, BlockAction, BlockElementAction, Logger, SlackActionMiddlewareArgs, webApi } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { screen, type ScreenContext } from '../commands/screens';
import { slackError } from '../api-error';
import { failureMessage } from '../errors';
import type { AnswerTarget } from '../answers';
import { decodeNav, type Move, type Nav } from '../navigation';
import { upload, type OutgoingFile } from '../reply';
import { VIEW_STACK_MAX } from '../../../views/limits';
import { NO_CONVERSATION_NOTICE, POSTING_NOTICE, postedNotice } from '../../../views/components/nav';
import { outOfDateView } from '../../../views/modals/error';
import { loadingView } from '../../../views/modals/loading';
import { readHomeMetadata } from '../home/publisher';
import type { ListenerDeps } from './deps';

export interface SurfaceIO {
  client: webApi.WebClient;
  logger: Logger;
}

/**
 * Lets the event loop read the requests that arrived meanwhile before the answer's work goes
 * on: each of them is acked first, so that a burst of commands is acked in milliseconds, not
 * after the answers of the ones ahead of it.
 */
export function afterAck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A click's arguments, for any element: what moving a view needs of them. */
export interface ViewClick {
  body: BlockAction<BasicElementAction>;
  client: webApi.WebClient;
  logger: Logger;
}

/** A click that moves a view: moveFromClick acks it, once its answer is held. */
export interface MoveClick extends ViewClick {
  ack: () => Promise<void>;
}

/** The arguments Bolt hands an action listener for element type `A`. */
export type ClickArgs<A extends BlockElementAction> = SlackActionMiddlewareArgs<BlockAction<A>> & AllMiddlewareArgs;

/** A view as Slack last returned it: enough to replace it. Without a hash (a view a
 *  submission's answer replaced, whose new hash the bot never sees) the newest version wins. */
export interface Shown {
  id: string;
  hash: string | null;
}

function shownOf(res: { view?: { id?: string; hash?: string } }): Shown {
  return { id: res.view?.id ?? '', hash: res.view?.hash ?? null };
}

export function screenContext(deps: ListenerDeps, userId: string, io: SurfaceIO): ScreenContext {
  return {
    deps,
    logger: io.logger,
    me: async () => (await deps.users.match(userId, io.client, io.logger))?.name ?? null,
    lastUsed: () => deps.state.userCurrentRun(userId),
  };
}

function loading(nav: Nav): ModalView {
  return loadingView({ at: nav.at, pushed: nav.depth > 1 });
}

/**
 * Replaces a view; null when the user has moved on meanwhile (`hash_conflict`: another click
 * changed it) or closed it (`not_found`), which is not an error: there is nothing left to show.
 */
export async function replaceView(io: SurfaceIO, target: Shown, view: ModalView): Promise<Shown | null> {
  try {
    return shownOf(await io.client.views.update({ view_id: target.id, ...(target.hash === null ? {} : { hash: target.hash }), view }));
  } catch (err) {
    const code = slackError(err);
    if (code !== 'hash_conflict' && code !== 'not_found') throw err;
    io.logger.debug(`View ${target.id} was not updated (${code}): the user moved on.`);
    return null;
  }
}

/** What `load` will answer, for a replica to finish it should this one die first (answers.ts). */
export interface Answering {
  deps: ListenerDeps;
  user: string;
  target: AnswerTarget;
  /** A hold this one takes over once written (a command's, on its response_url). */
  replaces?: string | null;
}

/** Opens a modal with `first` at once, then replaces it with what `load` builds. False when
 *  Slack refused to open it (an expired trigger_id): the caller answers another way. */
export async function openModal(io: SurfaceIO, triggerId: string, first: ModalView, load?: () => Promise<ModalView>, answering?: Answering): Promise<boolean> {
  let opened: Shown;
  try {
    opened = shownOf(await io.client.views.open({ trigger_id: triggerId, view: first }));
  } catch (err) {
    io.logger.warn(`Could not open a modal (${slackError(err) ?? 'error'}).`);
    return false;
  }
  if (!load) return true;
  const fill = async (): Promise<unknown> => replaceView(io, opened, await load());
  await (answering ? answering.deps.answers.whileHeld(opened, answering.user, answering.target, io.logger, fill, answering.replaces) : fill());
  return true;
}

/** Opens the modal of `nav` (a root view) from a trigger. */
export function openScreen(deps: ListenerDeps, io: SurfaceIO, triggerId: string, userId: string, nav: Nav): Promise<boolean> {
  return openModal(io, triggerId, loading(nav), () => screen(nav, screenContext(deps, userId, io)), { deps, user: userId, target: { nav } });
}

/** Replaces `view` with the screen of `nav`: the last step of every move, and of a recovery. */
export async function showScreen(deps: ListenerDeps, io: SurfaceIO, view: Shown, userId: string, nav: Nav): Promise<Shown | null> {
  return replaceView(io, view, await screen(nav, screenContext(deps, userId, io)));
}

async function pushOrReplace(io: SurfaceIO, from: Shown, triggerId: string, move: Move): Promise<{ target: Shown; nav: Nav } | null> {
  if (move.push) {
    try {
      return { target: shownOf(await io.client.views.push({ trigger_id: triggerId, view: loading(move.nav) })), nav: move.nav };
    } catch (err) {
      if (slackError(err) !== 'push_limit_reached') throw err;
      // The stack is fuller than the view knew (it came from an older modal): stay in place.
      const nav: Nav = { ...move.nav, depth: VIEW_STACK_MAX };
      const target = await replaceView(io, from, loading(nav));
      return target && { target, nav };
    }
  }
  const target = await replaceView(io, from, loading(move.nav));
  return target && { target, nav: move.nav };
}

/**
 * Shows where `move` leads from the view `from`, loading first. The caller has held the answer
 * on `from` (`holdMove`): a recovery then shows it in place of `from`. Once the loading view is
 * there, the answer is held on it instead.
 */
export async function moveModal(deps: ListenerDeps, io: SurfaceIO, userId: string, from: Shown, triggerId: string, move: Move): Promise<void> {
  const { answers } = deps;
  let shown: { target: Shown; nav: Nav } | null = null;
  try {
    shown = await pushOrReplace(io, from, triggerId, move);
    // Held on the loading view before letting go of `from`, so that no moment holds neither.
    if (shown) await answers.hold(shown.target, userId, { nav: shown.nav }, io.logger);
  } finally {
    if (shown === null || shown.target.id !== from.id) await answers.release(from.id, io.logger);
  }
  if (!shown) return;
  const { target, nav } = shown;
  try {
    await showScreen(deps, io, target, userId, nav);
  } finally {
    await answers.release(target.id, io.logger);
  }
}

/**
 * Holds the answer to a move on the view it starts from. A push leaves `from` as it is, so its
 * hash stays good; a move in place changes it within milliseconds, so the hold names no hash
 * (the newest version wins: a later click on this view holds, and releases, its own answer).
 */
async function holdMove(deps: ListenerDeps, io: SurfaceIO, userId: string, from: Shown, move: Move): Promise<void> {
  const nav: Nav = move.push ? { ...move.nav, depth: Math.max(1, move.nav.depth - 1) as Nav['depth'] } : move.nav;
  await deps.answers.hold({ id: from.id, hash: move.push ? from.hash : null }, userId, { nav }, io.logger);
}

export async function showOutOfDate(io: SurfaceIO, view: Shown): Promise<void> {
  await replaceView(io, view, outOfDateView());
}

/** Where the modal a click came from is; null (after showing the out-of-date view) when the
 *  bot cannot read it. */
export async function navOfClick(io: SurfaceIO, view: { id: string; hash: string; private_metadata: string }): Promise<Nav | null> {
  const nav = decodeNav(view.private_metadata);
  if (nav === null) await showOutOfDate(io, view);
  return nav;
}

/**
 * A click in a modal: `decide` says where it leads from where the view is; a click that does
 * not belong there (a forged value, an older view) gets the out-of-date view. Acked once the
 * answer is held, so that a replica dying at any moment after the ack leaves it to another.
 */
export async function moveFromClick(deps: ListenerDeps, args: MoveClick, decide: (from: Nav) => Move | null): Promise<void> {
  const { body, client, logger } = args;
  const view = body.view;
  const io = { client, logger };
  let move: Move | null = null;
  try {
    const from = view ? decodeNav(view.private_metadata) : null;
    move = from && decide(from);
    if (view && move) await holdMove(deps, io, body.user.id, view, move);
  } finally {
    // Whatever failed above, Slack gets its ack: the failure is the bot's, not the request's.
    await args.ack();
  }
  await afterAck();
  if (!view) return;
  if (!move) return showOutOfDate(io, view);
  await moveModal(deps, io, body.user.id, view, body.trigger_id, move);
}

/** The conversation a click on App Home may post files to: the user's DM with the bot. */
export function homeChannel(view: { private_metadata: string } | undefined): string | null {
  return readHomeMetadata(view?.private_metadata)?.channel ?? null;
}

/**
 * Posts `make()`'s file in the modal's conversation, then shows the view again with a note of
 * what happened; the note says why when there is nowhere to post or posting failed.
 */
export async function postFileFromView(
  deps: ListenerDeps,
  args: ViewClick,
  nav: Nav,
  make: () => Promise<OutgoingFile>,
): Promise<void> {
  const { body, client, logger } = args;
  const view = body.view;
  if (!view) return;
  const io = { client, logger };
  const ctx = screenContext(deps, body.user.id, io);
  if (nav.channel === null) {
    await replaceView(io, view, await screen(nav, ctx, NO_CONVERSATION_NOTICE));
    return;
  }
  // A large file takes a while to read and send: the view says so meanwhile.
  const posting = await replaceView(io, view, await screen(nav, ctx, POSTING_NOTICE));
  let notice: string;
  try {
    const file = await make();
    await upload(client, nav.channel, undefined, file);
    notice = postedNotice(file.filename, nav.channel);
  } catch (err) {
    notice = failureMessage(err, logger, '/metaflow').text;
  }
  if (posting) await replaceView(io, posting, await screen(nav, ctx, notice));
}
