import {
  BLOCK_KIT_LIMITS,
  blocksTextLength,
  formatViolations,
  messageBlocksTooLong,
  truncateMessageText,
  validateMessageBlocks,
  validateView,
} from '../kit/block-kit-limits';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const section = (text: string, extra: object = {}) => ({ type: 'section', text: mrkdwn(text), ...extra });
const button = (actionId: string, extra: object = {}) => ({
  type: 'button',
  action_id: actionId,
  text: plain('Go'),
  ...extra,
});
const option = (text: string, value: string) => ({ text: plain(text), value });
const x = (n: number) => 'x'.repeat(n);

/** Slack's lines for a message's blocks. */
const messageErrors = (blocks: unknown[]) => formatViolations(validateMessageBlocks(blocks));
const viewErrors = (view: unknown, types: ('modal' | 'home')[] = ['modal']) =>
  formatViolations(validateView(view, types));
const modal = (extra: object = {}) => ({ type: 'modal', title: plain('Declare'), blocks: [], ...extra });

describe('message blocks', () => {
  it('accepts a realistic incident card', () => {
    const blocks = [
      { type: 'header', text: plain('Incident #42: payments down') },
      section('*Severity:* sev1', { fields: [mrkdwn('*Status*'), mrkdwn('investigating')] }),
      {
        type: 'context',
        elements: [mrkdwn('Declared by <@U1>'), { type: 'image', image_url: 'https://x/y.png', alt_text: 'y' }],
      },
      { type: 'divider' },
      { type: 'actions', block_id: 'act', elements: [button('debrief_pick', { value: '2026-11-20T14:00:00Z' })] },
      { type: 'rich_text', elements: [] },
    ];
    expect(messageErrors(blocks)).toEqual([]);
  });

  it('allows 50 blocks and refuses 51 the way Slack words it', () => {
    expect(messageErrors(Array.from({ length: 50 }, () => ({ type: 'divider' })))).toEqual([]);
    expect(messageErrors(Array.from({ length: 51 }, () => ({ type: 'divider' })))).toEqual([
      'no more than 50 items allowed [json-pointer:/blocks]',
    ]);
  });

  it('limits section text to 3000 characters, reporting the schema failure first', () => {
    expect(messageErrors([section(x(3000))])).toEqual([]);
    expect(messageErrors([section(x(3001))])).toEqual([
      'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
  });

  it('limits section fields to 10, each at most 2000 characters', () => {
    const fields = (n: number, length = 1) => Array.from({ length: n }, () => mrkdwn(x(length)));
    expect(messageErrors([{ type: 'section', fields: fields(10, 2000) }])).toEqual([]);
    expect(messageErrors([{ type: 'section', fields: fields(11) }])).toEqual([
      'no more than 10 items allowed [json-pointer:/blocks/0/fields]',
    ]);
    expect(messageErrors([{ type: 'section', fields: [mrkdwn(x(2001))] }])).toContain(
      'must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]',
    );
  });

  it('limits header text to 150 characters of plain_text', () => {
    expect(messageErrors([{ type: 'header', text: plain(x(150)) }])).toEqual([]);
    expect(messageErrors([{ type: 'header', text: plain(x(151)) }])).toContain(
      'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    );
    expect(messageErrors([{ type: 'header', text: mrkdwn('hi') }])).toContain(
      'must be one of: plain_text [json-pointer:/blocks/0/text/type]',
    );
  });

  it('limits context to 10 elements and actions to 25', () => {
    const context = (n: number) => ({ type: 'context', elements: Array.from({ length: n }, () => mrkdwn('a')) });
    const actions = (n: number) => ({
      type: 'actions',
      elements: Array.from({ length: n }, (_, i) => button(`b${i}`)),
    });
    expect(messageErrors([context(10), actions(25)])).toEqual([]);
    expect(messageErrors([context(11)])).toEqual(['no more than 10 items allowed [json-pointer:/blocks/0/elements]']);
    expect(messageErrors([actions(26)])).toEqual(['no more than 25 items allowed [json-pointer:/blocks/0/elements]']);
  });

  it('limits action_id and block_id to 255 characters and wants block_ids unique in a message', () => {
    expect(messageErrors([{ type: 'divider', block_id: x(255) }, section('a', { accessory: button(x(255)) })])).toEqual(
      [],
    );
    expect(messageErrors([{ type: 'divider', block_id: x(256) }])).toEqual([
      'must be less than 256 characters [json-pointer:/blocks/0/block_id]',
    ]);
    expect(messageErrors([section('a', { accessory: button(x(256)) })])).toEqual([
      'must be less than 256 characters [json-pointer:/blocks/0/accessory/action_id]',
    ]);
    expect(
      messageErrors([
        { type: 'divider', block_id: 'same' },
        { type: 'divider', block_id: 'same' },
      ]),
    ).toEqual(['`block_id` "same" already exists [json-pointer:/blocks/1/block_id]']);
  });

  it('wants action_ids unique within one block', () => {
    expect(messageErrors([{ type: 'actions', elements: [button('done'), button('done')] }])).toEqual([
      '`action_id` "done" already exists [json-pointer:/blocks/0/elements/1/action_id]',
    ]);
    expect(
      messageErrors([
        { type: 'actions', elements: [button('done')] },
        { type: 'actions', elements: [button('done')] },
      ]),
    ).toEqual([]);
  });

  it('limits button text to 75 and button value to 2000', () => {
    expect(messageErrors([section('a', { accessory: button('b', { text: plain(x(75)), value: x(2000) }) })])).toEqual(
      [],
    );
    expect(messageErrors([section('a', { accessory: button('b', { text: plain(x(76)) }) })])).toContain(
      'must be less than 76 characters [json-pointer:/blocks/0/accessory/text/text]',
    );
    expect(messageErrors([section('a', { accessory: button('b', { value: x(2001) }) })])).toEqual([
      'must be less than 2001 characters [json-pointer:/blocks/0/accessory/value]',
    ]);
  });

  it('wants 2 to 5 overflow options, each with text ≤ 75 and value ≤ 150', () => {
    const overflow = (options: unknown[]) => section('a', { accessory: { type: 'overflow', action_id: 'o', options } });
    const options = (n: number) => Array.from({ length: n }, (_, i) => option(`o${i}`, `v${i}`));
    expect(messageErrors([overflow(options(2))])).toEqual([]);
    expect(messageErrors([overflow(options(5))])).toEqual([]);
    expect(messageErrors([overflow(options(1))])).toEqual([
      'must have at least 2 items [json-pointer:/blocks/0/accessory/options]',
    ]);
    expect(messageErrors([overflow(options(6))])).toEqual([
      'no more than 5 items allowed [json-pointer:/blocks/0/accessory/options]',
    ]);
    expect(messageErrors([overflow([option(x(76), 'v'), option('t', x(151))])])).toEqual([
      'failed to match all allowed schemas [json-pointer:/blocks/0/accessory/options/0/text]',
      'must be less than 76 characters [json-pointer:/blocks/0/accessory/options/0/text/text]',
      'must be less than 151 characters [json-pointer:/blocks/0/accessory/options/1/value]',
    ]);
  });

  it('allows at most 100 options in a static select', () => {
    const select = (n: number) => ({
      type: 'static_select',
      action_id: 's',
      options: Array.from({ length: n }, (_, i) => option(`o${i}`, `v${i}`)),
    });
    expect(messageErrors([section('a', { accessory: select(100) })])).toEqual([]);
    expect(messageErrors([section('a', { accessory: select(101) })])).toEqual([
      'no more than 100 items allowed [json-pointer:/blocks/0/accessory/options]',
    ]);
  });

  it('wants type and text on every text object', () => {
    expect(messageErrors([{ type: 'section', text: { type: 'mrkdwn' } }])).toEqual([
      'missing required field: text [json-pointer:/blocks/0/text]',
    ]);
    expect(messageErrors([{ type: 'section', text: { text: 'hi' } }])).toEqual([
      'missing required field: type [json-pointer:/blocks/0/text]',
    ]);
    expect(messageErrors([{ type: 'header' }])).toEqual(['missing required field: text [json-pointer:/blocks/0]']);
    expect(messageErrors([{ type: 'section', text: mrkdwn('') }])).toContain(
      'must be more than 0 characters [json-pointer:/blocks/0/text/text]',
    );
  });

  it('refuses unknown block types', () => {
    expect(messageErrors([{ type: 'sectoin', text: mrkdwn('typo') }])).toEqual([
      'failed to match all allowed schemas [json-pointer:/blocks/0]',
    ]);
    expect(messageErrors(['not a block'])).toEqual(['must be an object [json-pointer:/blocks/0]']);
  });
});

describe('inputs', () => {
  const input = (element: object, label = 'Title') => ({ type: 'input', label: plain(label), element });

  it('limits plain_text_input max_length to 3000 and initial_value to max_length', () => {
    const field = (extra: object) => input({ type: 'plain_text_input', action_id: 'a', ...extra });
    expect(
      viewErrors(modal({ submit: plain('Save'), blocks: [field({ max_length: 3000, initial_value: x(3000) })] })),
    ).toEqual([]);
    expect(viewErrors(modal({ submit: plain('Save'), blocks: [field({ max_length: 3001 })] }))).toEqual([
      'must be less than or equal to 3000 [json-pointer:/view/blocks/0/element/max_length]',
    ]);
    expect(
      viewErrors(modal({ submit: plain('Save'), blocks: [field({ max_length: 10, initial_value: x(11) })] })),
    ).toEqual(['must be less than 11 characters [json-pointer:/view/blocks/0/element/initial_value]']);
    expect(viewErrors(modal({ submit: plain('Save'), blocks: [field({ initial_value: x(3001) })] }))).toEqual([
      'must be less than 3001 characters [json-pointer:/view/blocks/0/element/initial_value]',
    ]);
  });

  it('limits an input label to 2000 characters', () => {
    const element = { type: 'plain_text_input', action_id: 'a' };
    expect(viewErrors(modal({ submit: plain('Save'), blocks: [input(element, x(2000))] }))).toEqual([]);
    expect(viewErrors(modal({ submit: plain('Save'), blocks: [input(element, x(2001))] }))).toContain(
      'must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]',
    );
  });
});

describe('views', () => {
  it('limits modal title, submit and close to 24 characters', () => {
    expect(viewErrors(modal({ title: plain(x(24)), submit: plain(x(24)), close: plain(x(24)) }))).toEqual([]);
    expect(viewErrors(modal({ title: plain(x(25)) }))).toEqual([
      'failed to match all allowed schemas [json-pointer:/view/title]',
      'must be less than 25 characters [json-pointer:/view/title/text]',
    ]);
    expect(viewErrors(modal({ submit: plain(x(25)), close: plain(x(25)) }))).toEqual([
      'failed to match all allowed schemas [json-pointer:/view/submit]',
      'must be less than 25 characters [json-pointer:/view/submit/text]',
      'failed to match all allowed schemas [json-pointer:/view/close]',
      'must be less than 25 characters [json-pointer:/view/close/text]',
    ]);
  });

  it('limits private_metadata to 3000 and callback_id to 255 characters', () => {
    expect(viewErrors(modal({ private_metadata: x(3000), callback_id: x(255) }))).toEqual([]);
    expect(viewErrors(modal({ private_metadata: x(3001) }))).toEqual([
      'failed to match all allowed schemas [json-pointer:/view]',
      'must be less than 3001 characters [json-pointer:/view/private_metadata]',
    ]);
    expect(viewErrors(modal({ callback_id: x(256) }))).toEqual([
      'failed to match all allowed schemas [json-pointer:/view]',
      'must be less than 256 characters [json-pointer:/view/callback_id]',
    ]);
  });

  it('allows 100 blocks in a modal or Home tab and refuses 101', () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(viewErrors(modal({ blocks: blocks(100) }))).toEqual([]);
    expect(viewErrors({ type: 'home', blocks: blocks(100) }, ['home'])).toEqual([]);
    expect(viewErrors({ type: 'home', blocks: blocks(101) }, ['home'])).toEqual([
      'no more than 100 items allowed [json-pointer:/view/blocks]',
    ]);
  });

  it('wants block_ids unique within a view', () => {
    const blocks = [section('a', { block_id: 'b' }), section('b', { block_id: 'b' })];
    expect(viewErrors({ type: 'home', blocks }, ['home'])).toEqual([
      '`block_id` "b" already exists [json-pointer:/view/blocks/1/block_id]',
    ]);
  });

  it('wants a modal title, and a submit button when it has inputs', () => {
    expect(viewErrors({ type: 'modal', blocks: [] })).toEqual(['missing required field: title [json-pointer:/view]']);
    const withInput = modal({ blocks: [{ type: 'input', label: plain('T'), element: { type: 'plain_text_input' } }] });
    expect(viewErrors(withInput)).toEqual(['missing required field: submit [json-pointer:/view]']);
  });

  it('checks the view type against what the method accepts', () => {
    expect(viewErrors({ type: 'home', blocks: [] })).toEqual([
      'failed to match all allowed schemas [json-pointer:/view]',
      'must be one of: modal [json-pointer:/view/type]',
    ]);
    expect(viewErrors('nope')).toEqual(['must be an object [json-pointer:/view]']);
  });
});

describe('message text', () => {
  it('truncates text at 40,000 characters', () => {
    expect(truncateMessageText(x(40_000))).toHaveLength(40_000);
    expect(truncateMessageText(x(40_001))).toHaveLength(40_000);
    expect(truncateMessageText('short')).toBe('short');
  });

  it('counts the text inside blocks and flags a message over about 13,000 characters', () => {
    const blocks = [
      section(x(3000)),
      { type: 'context', elements: [mrkdwn('abc')] },
      { type: 'header', text: plain('hi') },
    ];
    expect(blocksTextLength(blocks)).toBe(3005);
    expect(messageBlocksTooLong(Array.from({ length: 4 }, () => section(x(3000))))).toBe(false);
    expect(messageBlocksTooLong(Array.from({ length: 5 }, () => section(x(3000))))).toBe(true);
    expect(BLOCK_KIT_LIMITS.messageBlocksText).toBe(13_000);
  });
});
