/** What a modal shows the moment it opens or moves: Slack's trigger_id lives 3 seconds and
 *  Metaflow may take longer, so the data replaces this view when it arrives. No click can come
 *  from it, so it carries no navigation. */
import type { ModalView } from '@slack/types';
import type { Location } from '../../src/slack/navigation';
import { context, section } from '../components/blocks';
import { code } from '../components/format';
import { modal } from '../components/modal';

/** `FailFlow/1795835906791541/explode`: what is being read. */
function placeOf(at: Location): string | null {
  switch (at.kind) {
    case 'inspect':
      return null;
    case 'flows':
      return 'flows';
    case 'runs':
      return at.flow;
    case 'run':
      return `${at.flow}/${at.run}`;
    case 'step':
      return `${at.flow}/${at.run}/${at.step}`;
    case 'task':
      return `${at.flow}/${at.run}/${at.step}/${at.task}`;
    case 'artifact':
      return `${at.flow}/${at.run}/${at.step}/${at.task} ${at.name}`;
    case 'logs':
      return `${at.flow}/${at.run}/${at.step}/${at.task} ${at.stream}`;
  }
}

export interface LoadingInput {
  /** Where the view is going, when known. */
  at: Location | null;
  pushed: boolean;
}

export function loadingView({ at, pushed }: LoadingInput): ModalView {
  const place = at ? placeOf(at) : null;
  return modal({
    title: 'Metaflow',
    metadata: '',
    pushed,
    blocks: [section(':hourglass_flowing_sand: Reading Metaflow…'), ...(place ? [context(code(place))] : [])],
  });
}
