/**
 * Slack's documented Block Kit limits, as a pure validator.
 *
 * The Slack stand-in uses it to refuse what real Slack refuses, with Slack's own wording:
 * each violation is reported as `<message> [json-pointer:<pointer>]`, and a violation inside a
 * text object is preceded by `failed to match all allowed schemas [json-pointer:<object>]`, the
 * way Slack's schema validator reports it. Only the limits Debrief can run into are checked;
 * anything not listed here is accepted, as it is safer for a test double to be permissive than
 * to invent rules Slack does not have.
 */

export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  actionId: 255,
  blockId: 255,
  buttonText: 75,
  buttonValue: 2000,
  overflowOptionsMin: 2,
  overflowOptionsMax: 5,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  plainTextInputMaxLength: 3000,
  inputLabel: 2000,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  /** `text` of a message is truncated (not refused) beyond this. */
  messageText: 40_000,
  /** Undocumented; observed as "about 13k characters" of block text → `msg_blocks_too_long`. */
  messageBlocksText: 13_000,
} as const;

/** Block types Slack accepts today; any other `type` fails schema matching. */
export const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set([
  'actions',
  'context',
  'context_actions',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

export type ViewType = 'modal' | 'home';

export interface BlockKitViolation {
  /** JSON pointer of the offending value, e.g. `/blocks/0/text/text`. */
  pointer: string;
  /** Slack's message, without the pointer suffix. */
  message: string;
  /** When set, Slack first reports `failed to match all allowed schemas` at this pointer. */
  schemaPointer?: string;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects violations and remembers ids that must be unique across a message or view. */
class Checker {
  readonly violations: BlockKitViolation[] = [];
  private readonly blockIds = new Set<string>();

  add(pointer: string, message: string, schemaPointer?: string): void {
    this.violations.push(schemaPointer === undefined ? { pointer, message } : { pointer, message, schemaPointer });
  }

  maxItems(items: unknown[], max: number, pointer: string): void {
    if (items.length > max) this.add(pointer, `no more than ${max} items allowed`);
  }

  maxChars(value: unknown, max: number, pointer: string, schemaPointer?: string): void {
    if (typeof value === 'string' && value.length > max) {
      this.add(pointer, `must be less than ${max + 1} characters`, schemaPointer);
    }
  }

  uniqueBlockId(blockId: string, pointer: string): void {
    if (this.blockIds.has(blockId)) this.add(pointer, `\`block_id\` "${blockId}" already exists`);
    this.blockIds.add(blockId);
  }
}

interface TextRule {
  max?: number;
  plainOnly?: boolean;
}

/** A composition text object: `{ type: 'plain_text' | 'mrkdwn', text }`. */
function checkText(checker: Checker, value: unknown, pointer: string, rule: TextRule = {}): void {
  if (value === undefined) {
    const cut = pointer.lastIndexOf('/');
    checker.add(pointer.slice(0, cut), `missing required field: ${pointer.slice(cut + 1)}`);
    return;
  }
  if (!isObject(value)) {
    checker.add(pointer, 'must be an object');
    return;
  }
  const allowed = rule.plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (value.type === undefined) checker.add(pointer, 'missing required field: type');
  else if (typeof value.type !== 'string' || !allowed.includes(value.type)) {
    checker.add(`${pointer}/type`, `must be one of: ${allowed.join(', ')}`, pointer);
  }
  if (value.text === undefined) {
    checker.add(pointer, 'missing required field: text');
    return;
  }
  if (typeof value.text !== 'string') {
    checker.add(`${pointer}/text`, 'must be a string', pointer);
    return;
  }
  if (value.text.length === 0) checker.add(`${pointer}/text`, 'must be more than 0 characters', pointer);
  if (rule.max !== undefined) checker.maxChars(value.text, rule.max, `${pointer}/text`, pointer);
}

function checkOption(checker: Checker, option: unknown, pointer: string): void {
  if (!isObject(option)) {
    checker.add(pointer, 'must be an object');
    return;
  }
  checkText(checker, option.text, `${pointer}/text`, { max: BLOCK_KIT_LIMITS.optionText });
  checker.maxChars(option.value, BLOCK_KIT_LIMITS.optionValue, `${pointer}/value`);
}

function checkOptions(checker: Checker, options: unknown, pointer: string, min: number, max: number): void {
  if (options === undefined) return;
  if (!Array.isArray(options)) {
    checker.add(pointer, 'must be an array');
    return;
  }
  if (options.length < min) checker.add(pointer, `must have at least ${min} items`);
  checker.maxItems(options, max, pointer);
  options.forEach((option, index) => {
    checkOption(checker, option, `${pointer}/${index}`);
  });
}

function checkSelect(checker: Checker, element: JsonObject, pointer: string): void {
  checkOptions(checker, element.options, `${pointer}/options`, 0, BLOCK_KIT_LIMITS.selectOptions);
  if (Array.isArray(element.option_groups)) {
    checker.maxItems(element.option_groups, BLOCK_KIT_LIMITS.selectOptions, `${pointer}/option_groups`);
    element.option_groups.forEach((group, index) => {
      if (isObject(group)) {
        const groupPointer = `${pointer}/option_groups/${index}/options`;
        checkOptions(checker, group.options, groupPointer, 0, BLOCK_KIT_LIMITS.selectOptions);
      }
    });
  }
}

function checkPlainTextInput(checker: Checker, element: JsonObject, pointer: string): void {
  const limit = BLOCK_KIT_LIMITS.plainTextInputMaxLength;
  if (typeof element.max_length === 'number' && element.max_length > limit) {
    checker.add(`${pointer}/max_length`, `must be less than or equal to ${limit}`);
  }
  const max = typeof element.max_length === 'number' ? Math.min(element.max_length, limit) : limit;
  checker.maxChars(element.initial_value, max, `${pointer}/initial_value`);
}

/** Interactive and non-interactive elements (accessories, actions, input elements). */
function checkElement(checker: Checker, element: unknown, pointer: string): void {
  if (!isObject(element)) {
    checker.add(pointer, 'must be an object');
    return;
  }
  checker.maxChars(element.action_id, BLOCK_KIT_LIMITS.actionId, `${pointer}/action_id`);
  switch (element.type) {
    case 'button':
      checkText(checker, element.text, `${pointer}/text`, { max: BLOCK_KIT_LIMITS.buttonText, plainOnly: true });
      checker.maxChars(element.value, BLOCK_KIT_LIMITS.buttonValue, `${pointer}/value`);
      break;
    case 'overflow': {
      const { overflowOptionsMin, overflowOptionsMax } = BLOCK_KIT_LIMITS;
      checkOptions(checker, element.options, `${pointer}/options`, overflowOptionsMin, overflowOptionsMax);
      if (element.options === undefined) checker.add(pointer, 'missing required field: options');
      break;
    }
    case 'static_select':
    case 'multi_static_select':
      checkSelect(checker, element, pointer);
      break;
    case 'plain_text_input':
      checkPlainTextInput(checker, element, pointer);
      break;
    default:
      break;
  }
}

/** Elements of one block: action_ids must be unique within it. */
function checkElements(checker: Checker, elements: unknown[], pointer: string): void {
  const seen = new Set<string>();
  elements.forEach((element, index) => {
    const elementPointer = `${pointer}/${index}`;
    checkElement(checker, element, elementPointer);
    if (isObject(element) && typeof element.action_id === 'string') {
      if (seen.has(element.action_id)) {
        checker.add(`${elementPointer}/action_id`, `\`action_id\` "${element.action_id}" already exists`);
      }
      seen.add(element.action_id);
    }
  });
}

function checkSection(checker: Checker, block: JsonObject, pointer: string): void {
  if (block.text === undefined && block.fields === undefined) {
    checker.add(pointer, 'missing required field: text');
  }
  if (block.text !== undefined) {
    checkText(checker, block.text, `${pointer}/text`, { max: BLOCK_KIT_LIMITS.sectionText });
  }
  if (Array.isArray(block.fields)) {
    checker.maxItems(block.fields, BLOCK_KIT_LIMITS.sectionFields, `${pointer}/fields`);
    block.fields.forEach((field, index) => {
      checkText(checker, field, `${pointer}/fields/${index}`, { max: BLOCK_KIT_LIMITS.sectionFieldText });
    });
  }
  if (block.accessory !== undefined) checkElement(checker, block.accessory, `${pointer}/accessory`);
}

function checkContext(checker: Checker, block: JsonObject, pointer: string): void {
  if (!Array.isArray(block.elements)) {
    checker.add(pointer, 'missing required field: elements');
    return;
  }
  checker.maxItems(block.elements, BLOCK_KIT_LIMITS.contextElements, `${pointer}/elements`);
  block.elements.forEach((element, index) => {
    if (isObject(element) && element.type !== 'image') checkText(checker, element, `${pointer}/elements/${index}`);
  });
}

function checkActions(checker: Checker, block: JsonObject, pointer: string): void {
  if (!Array.isArray(block.elements)) {
    checker.add(pointer, 'missing required field: elements');
    return;
  }
  checker.maxItems(block.elements, BLOCK_KIT_LIMITS.actionsElements, `${pointer}/elements`);
  checkElements(checker, block.elements, `${pointer}/elements`);
}

function checkInput(checker: Checker, block: JsonObject, pointer: string): void {
  checkText(checker, block.label, `${pointer}/label`, { max: BLOCK_KIT_LIMITS.inputLabel, plainOnly: true });
  if (block.element === undefined) checker.add(pointer, 'missing required field: element');
  else checkElement(checker, block.element, `${pointer}/element`);
}

const BLOCK_CHECKS: Record<string, (checker: Checker, block: JsonObject, pointer: string) => void> = {
  section: checkSection,
  header: (checker, block, pointer) =>
    checkText(checker, block.text, `${pointer}/text`, { max: BLOCK_KIT_LIMITS.headerText, plainOnly: true }),
  context: checkContext,
  actions: checkActions,
  input: checkInput,
};

function checkBlock(checker: Checker, block: unknown, pointer: string): void {
  if (!isObject(block)) {
    checker.add(pointer, 'must be an object');
    return;
  }
  if (typeof block.type !== 'string' || !KNOWN_BLOCK_TYPES.has(block.type)) {
    checker.add(pointer, 'failed to match all allowed schemas');
    return;
  }
  if (block.block_id !== undefined) {
    if (typeof block.block_id !== 'string') checker.add(`${pointer}/block_id`, 'must be a string');
    else {
      checker.maxChars(block.block_id, BLOCK_KIT_LIMITS.blockId, `${pointer}/block_id`);
      checker.uniqueBlockId(block.block_id, `${pointer}/block_id`);
    }
  }
  BLOCK_CHECKS[block.type]?.(checker, block, pointer);
}

function checkBlockList(checker: Checker, blocks: unknown[], pointer: string, max: number): void {
  checker.maxItems(blocks, max, pointer);
  blocks.forEach((block, index) => {
    checkBlock(checker, block, `${pointer}/${index}`);
  });
}

/** Validates the `blocks` of a message (chat.postMessage, postEphemeral, update, response_url). */
export function validateMessageBlocks(blocks: unknown[]): BlockKitViolation[] {
  const checker = new Checker();
  checkBlockList(checker, blocks, '/blocks', BLOCK_KIT_LIMITS.messageBlocks);
  return checker.violations;
}

function checkViewText(checker: Checker, view: JsonObject, key: 'title' | 'submit' | 'close', max: number): void {
  if (view[key] === undefined) return;
  checkText(checker, view[key], `/view/${key}`, { max, plainOnly: true });
}

function hasInputBlock(blocks: unknown[]): boolean {
  return blocks.some((block) => isObject(block) && block.type === 'input');
}

function checkModal(checker: Checker, view: JsonObject, blocks: unknown[]): void {
  if (view.title === undefined) checker.add('/view', 'missing required field: title');
  checkViewText(checker, view, 'title', BLOCK_KIT_LIMITS.viewTitle);
  checkViewText(checker, view, 'submit', BLOCK_KIT_LIMITS.viewSubmit);
  checkViewText(checker, view, 'close', BLOCK_KIT_LIMITS.viewClose);
  // Slack requires a submit button whenever a modal collects input.
  if (view.submit === undefined && hasInputBlock(blocks)) checker.add('/view', 'missing required field: submit');
}

/** Validates a view for views.open / push / update (modal) or views.publish (home). */
export function validateView(view: unknown, allowedTypes: readonly ViewType[]): BlockKitViolation[] {
  const checker = new Checker();
  if (!isObject(view)) {
    checker.add('/view', 'must be an object');
    return checker.violations;
  }
  if (typeof view.type !== 'string' || !(allowedTypes as readonly string[]).includes(view.type)) {
    checker.add('/view/type', `must be one of: ${allowedTypes.join(', ')}`, '/view');
    return checker.violations;
  }
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  if (!Array.isArray(view.blocks)) checker.add('/view', 'missing required field: blocks');
  if (view.type === 'modal') checkModal(checker, view, blocks);
  checker.maxChars(view.private_metadata, BLOCK_KIT_LIMITS.privateMetadata, '/view/private_metadata', '/view');
  checker.maxChars(view.callback_id, BLOCK_KIT_LIMITS.callbackId, '/view/callback_id', '/view');
  checkBlockList(checker, blocks, '/view/blocks', BLOCK_KIT_LIMITS.viewBlocks);
  return checker.violations;
}

/** Characters of text inside blocks: what Slack's undocumented `msg_blocks_too_long` limit counts. */
export function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + blocksTextLength(item), 0);
  if (!isObject(value)) return 0;
  return Object.entries(value).reduce<number>((sum, [key, child]) => {
    if (key === 'text' && typeof child === 'string') return sum + child.length;
    return sum + blocksTextLength(child);
  }, 0);
}

/** True when a message's blocks carry more text than Slack accepts in one message. */
export function messageBlocksTooLong(blocks: unknown[]): boolean {
  return blocksTextLength(blocks) > BLOCK_KIT_LIMITS.messageBlocksText;
}

/** Slack truncates (rather than refuses) a message's top-level `text` at 40,000 characters. */
export function truncateMessageText(text: string): string {
  return text.length > BLOCK_KIT_LIMITS.messageText ? text.slice(0, BLOCK_KIT_LIMITS.messageText) : text;
}

/** Slack's lines for a list of violations, e.g. `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`. */
export function formatViolations(violations: readonly BlockKitViolation[]): string[] {
  const lines: string[] = [];
  for (const violation of violations) {
    if (violation.schemaPointer !== undefined) {
      const schemaLine = `failed to match all allowed schemas [json-pointer:${violation.schemaPointer}]`;
      if (!lines.includes(schemaLine)) lines.push(schemaLine);
    }
    lines.push(`${violation.message} [json-pointer:${violation.pointer}]`);
  }
  return lines;
}
