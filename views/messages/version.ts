/** `version`: which bot, reading which Metaflow. */
import { Blocks } from 'slack-block-builder';
import { escapeMrkdwn, SECTION_FIELD_TEXT_MAX, truncate } from '../limits';
import { built, type SlackMessage } from '../components/message';

export interface VersionInput {
  version: string;
  /** The backends in one line, e.g. `metadata: service (https://…); datastore: s3 (s3://…)`. */
  backend: string;
}

/** The backend line is meant to hold no credentials; a URL with user:password@ would still
 *  leak one, so any is dropped here too. */
function withoutCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

export function versionMessage({ version, backend }: VersionInput): SlackMessage {
  const safe = withoutCredentials(backend);
  const fields = [`*metaflowbot*\n${escapeMrkdwn(version)}`, `*Metaflow*\n${escapeMrkdwn(safe)}`].map((f) => truncate(f, SECTION_FIELD_TEXT_MAX));
  return { text: `metaflowbot ${version}; ${safe}`, blocks: [built(Blocks.Section().fields(...fields))] };
}
