/**
 * Which Metaflow UI links the bot unfurls: `<METAFLOW_UI_URL>/<Flow>/<run>[/<step>[/<task>]]`,
 * on the configured UI's host and under its path; anything else is left alone. The UI's own
 * run pages (`/<Flow>/<run>/view/timeline`) are the run.
 */
import { isFlowName, isId, isStepName } from '../../metaflow/runspec/names';

export interface UiTarget {
  flow: string;
  run: string;
  step: string | null;
  task: string | null;
}

function segments(path: string): string[] | null {
  try {
    return path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

export function parseUiLink(link: string, uiUrl: string): UiTarget | null {
  let url: URL;
  let base: URL;
  try {
    url = new URL(link);
    base = new URL(uiUrl);
  } catch {
    return null;
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  if (url.origin !== base.origin || !(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) return null;
  const parts = segments(url.pathname.slice(prefix.length));
  if (!parts || parts.length < 2) return null;
  const [flow, run, third, fourth] = parts;
  if (!isFlowName(flow) || !isId(run)) return null;
  if (third === undefined || third === 'view') return { flow, run, step: null, task: null };
  if (!isStepName(third)) return null;
  if (fourth === undefined) return { flow, run, step: third, task: null };
  return isId(fourth) && parts.length === 4 ? { flow, run, step: third, task: fourth } : null;
}
