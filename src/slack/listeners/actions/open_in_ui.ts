/** "Open in Metaflow UI" is a link; Slack still reports the press, which must be acknowledged. */
import type { ButtonArgs } from './context';

export async function openInUi({ ack }: ButtonArgs): Promise<void> {
  await ack();
}
