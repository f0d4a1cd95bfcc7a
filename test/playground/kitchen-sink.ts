/** Every block and element the page draws, in a message and in a modal, valid for Slack. */
import type { Params } from '../../src/playground/slack/api';

const plain = (text: string): Params => ({ type: 'plain_text', text });
const mrkdwn = (text: string): Params => ({ type: 'mrkdwn', text });
const option = (text: string, value = text.toLowerCase()): Params => ({ text: plain(text), value });

export function kitchenSinkMessage(imageUrl: string): Params {
  return {
    channel: 'C0DATASCI1',
    text: 'Every block the playground draws',
    blocks: [
      { type: 'header', text: plain('Every block :white_check_mark:') },
      {
        type: 'section',
        block_id: 'intro',
        text: mrkdwn('*bold* _italic_ ~strike~ `code` <https://metaflow.org|a link> <@U0ALICE001> <!date^1700000000^{date_short}|Nov 14>\n> a quote'),
        accessory: { type: 'button', action_id: 'sink_button', text: plain('Press'), value: 'pressed', style: 'primary' },
      },
      { type: 'section', fields: [mrkdwn('*Status*\n:x: failed'), mrkdwn('*User*\nalice')], accessory: { type: 'overflow', action_id: 'sink_overflow', options: [option('One'), option('Two')] } },
      { type: 'section', text: mrkdwn('An image beside me'), accessory: { type: 'image', image_url: imageUrl, alt_text: 'logo' } },
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'image', image_url: imageUrl, alt_text: 'logo' }, mrkdwn('context with `code`')] },
      {
        type: 'actions',
        block_id: 'row',
        elements: [
          { type: 'static_select', action_id: 'sink_select', placeholder: plain('Pick'), options: [option('HelloFlow'), option('FailFlow')] },
          { type: 'radio_buttons', action_id: 'sink_radio', options: [option('Mine'), option('Everyone')], initial_option: option('Mine') },
          { type: 'checkboxes', action_id: 'sink_checks', options: [{ ...option('Failed'), description: plain('only failed runs') }, option('Running')] },
          { type: 'button', action_id: 'sink_danger', text: plain('Careful'), style: 'danger', confirm: { title: plain('Sure?'), text: mrkdwn('Really *sure*?'), confirm: plain('Yes'), deny: plain('No') } },
        ],
      },
      { type: 'image', image_url: imageUrl, alt_text: 'logo', title: plain('An image block') },
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'rich ', style: { bold: true } }, { type: 'emoji', name: 'ghost' }, { type: 'user', user_id: 'U0ALICE001' }] },
          { type: 'rich_text_list', style: 'bullet', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'first' }] }, { type: 'rich_text_section', elements: [{ type: 'link', url: 'https://metaflow.org', text: 'second' }] }] },
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'line 1\nline 2' }] },
          { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted' }] },
        ],
      },
    ],
  };
}

export function kitchenSinkModal(): Params {
  return {
    type: 'modal',
    callback_id: 'sink',
    title: plain('Every input'),
    submit: plain('Send'),
    close: plain('Cancel'),
    blocks: [
      { type: 'input', block_id: 'query', label: plain('Query'), element: { type: 'plain_text_input', action_id: 'q', placeholder: plain('HelloFlow/42') }, hint: plain('A run') },
      { type: 'input', block_id: 'notes', optional: true, label: plain('Notes'), element: { type: 'plain_text_input', action_id: 'n', multiline: true } },
      { type: 'input', block_id: 'flow', label: plain('Flow'), element: { type: 'static_select', action_id: 'f', options: [option('HelloFlow'), option('FailFlow')] } },
      { type: 'input', block_id: 'since', optional: true, label: plain('Since'), element: { type: 'datepicker', action_id: 'd', initial_date: '2026-11-01' } },
      { type: 'input', block_id: 'who', label: plain('Whose runs'), element: { type: 'radio_buttons', action_id: 'r', options: [option('Mine'), option('Everyone')] } },
    ],
  };
}
