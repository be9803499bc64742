import { checkComponentsV2, checkV2Edit, isV2 } from './components-v2.js';
import type { JsonObject, StoredMessage } from './types.js';

// Discord's documented limits, enforced so the suite catches a violation before Discord would.
export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  embedTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  customId: 100,
  buttonLabel: 80,
  modalTitle: 45,
  modalComponents: 5,
  textInputMax: 4000,
  textInputLabel: 45,
  selectOptions: 25,
  selectOptionText: 100,
  selectPlaceholder: 150,
} as const;

/** String, user, role, mentionable and channel selects: each fills an action row alone. */
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

function checkSelect(where: string, select: JsonObject, problems: string[]): void {
  checkCustomId(where, select.custom_id, problems);
  if (str(select.placeholder).length > LIMITS.selectPlaceholder) problems.push(`${where}: placeholder over 150 characters`);
  const options = arr(select.options);
  const min = typeof select.min_values === 'number' ? select.min_values : 1;
  const max = typeof select.max_values === 'number' ? select.max_values : 1;
  if (min < 0 || min > 25 || max < 1 || max > 25 || min > max)
    problems.push(`${where}: min_values ${min} / max_values ${max} out of range`);
  if (select.type !== 3) return;
  if (options.length < 1 || options.length > LIMITS.selectOptions) problems.push(`${where}: ${options.length} options (1–25)`);
  if (max > options.length) problems.push(`${where}: max_values ${max} is more than its ${options.length} options`);
  const values = new Set<string>();
  options.forEach((option, k) => {
    const label = str(option.label);
    const value = str(option.value);
    if (label.length < 1 || label.length > LIMITS.selectOptionText)
      problems.push(`${where} option ${k}: label is ${label.length} characters (1–100)`);
    if (value.length < 1 || value.length > LIMITS.selectOptionText)
      problems.push(`${where} option ${k}: value is ${value.length} characters (1–100)`);
    if (str(option.description).length > LIMITS.selectOptionText) problems.push(`${where} option ${k}: description over 100 characters`);
    if (values.has(value)) problems.push(`${where} option ${k}: value ${JSON.stringify(value)} repeated`);
    values.add(value);
  });
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const arr = (value: unknown): JsonObject[] => (Array.isArray(value) ? (value as JsonObject[]) : []);

function checkCustomId(where: string, value: unknown, problems: string[]): void {
  const id = str(value);
  if (id.length < 1 || id.length > LIMITS.customId) problems.push(`${where}: custom_id must be 1–100 characters (got ${id.length})`);
}

function checkEmbeds(embeds: JsonObject[], problems: string[]): void {
  if (embeds.length > LIMITS.embeds) problems.push(`message has ${embeds.length} embeds (max ${LIMITS.embeds})`);
  let total = 0;
  embeds.forEach((embed, i) => {
    const title = str(embed.title);
    const description = str(embed.description);
    const footer = str((embed.footer as JsonObject | undefined)?.text);
    const author = str((embed.author as JsonObject | undefined)?.name);
    const fields = arr(embed.fields);
    if (title.length > LIMITS.embedTitle) problems.push(`embed ${i} title is ${title.length} characters (max 256)`);
    if (description.length > LIMITS.embedDescription)
      problems.push(`embed ${i} description is ${description.length} characters (max 4096)`);
    if (footer.length > LIMITS.footer) problems.push(`embed ${i} footer is ${footer.length} characters (max 2048)`);
    if (author.length > LIMITS.author) problems.push(`embed ${i} author name is ${author.length} characters (max 256)`);
    if (fields.length > LIMITS.embedFields) problems.push(`embed ${i} has ${fields.length} fields (max 25)`);
    total += title.length + description.length + footer.length + author.length;
    fields.forEach((field, j) => {
      const name = str(field.name);
      const value = str(field.value);
      if (name.length === 0 || name.length > LIMITS.fieldName)
        problems.push(`embed ${i} field ${j} name is ${name.length} characters (1–256)`);
      if (value.length === 0 || value.length > LIMITS.fieldValue)
        problems.push(`embed ${i} field ${j} value is ${value.length} characters (1–1024)`);
      total += name.length + value.length;
    });
  });
  if (total > LIMITS.embedTotal) problems.push(`embeds total ${total} characters (max 6000)`);
}

const nestedRows = (components: JsonObject[]): JsonObject[] =>
  components.flatMap((c) => (c.type === 1 ? [c] : c.type === 17 ? arr(c.components).filter((k) => k.type === 1) : []));

function checkComponents(rows: JsonObject[], problems: string[], maxRows: number = LIMITS.actionRows): void {
  if (rows.length > maxRows) problems.push(`message has ${rows.length} action rows (max 5)`);
  rows.forEach((row, i) => {
    if (row.type !== 1) return;
    const children = arr(row.components);
    const buttons = children.filter((c) => c.type === 2);
    if (buttons.length > LIMITS.buttonsPerRow) problems.push(`action row ${i} has ${buttons.length} buttons (max 5)`);
    if (children.length === 0) problems.push(`action row ${i} is empty`);
    if (children.some((c) => SELECT_TYPES.has(Number(c.type))) && children.length > 1)
      problems.push(`action row ${i}: a select menu must be alone in its row`);
    children.forEach((child, j) => {
      const where = `row ${i} component ${j}`;
      if (SELECT_TYPES.has(Number(child.type))) {
        checkSelect(where, child, problems);
      } else if (child.type === 2) {
        if (str(child.label).length > LIMITS.buttonLabel) problems.push(`${where}: button label over 80 characters`);
        if (child.style === 5) {
          if (child.custom_id !== undefined) problems.push(`${where}: a link button cannot have a custom_id`);
        } else if (child.style !== 6) {
          checkCustomId(where, child.custom_id, problems);
        }
      } else if (child.custom_id !== undefined) {
        checkCustomId(where, child.custom_id, problems);
      }
    });
  });
}

/** Problems with a message body; `creating` requires something to show; an edit is checked against the message it edits. */
export function checkMessageBody(
  body: JsonObject,
  options: { creating: boolean; hasFiles: boolean; editing?: Pick<StoredMessage, 'flags' | 'content' | 'embeds'> | undefined },
): string[] {
  const problems: string[] = options.editing ? checkV2Edit(body, options.editing) : [];
  const content = body.content;
  if (typeof content === 'string' && content.length > LIMITS.content) problems.push(`content is ${content.length} characters (max 2000)`);
  const embeds = arr(body.embeds);
  const components = arr(body.components);
  checkEmbeds(embeds, problems);
  if (isV2(typeof body.flags === 'number' ? body.flags : (options.editing?.flags ?? 0))) {
    problems.push(...checkComponentsV2(body));
    // The rows inside containers keep the rows' own rules (buttons per row, selects alone, custom ids).
    checkComponents(nestedRows(components), problems, 40);
  } else {
    if (components.some((c) => c.type !== 1)) problems.push('components other than action rows need the IS_COMPONENTS_V2 flag');
    checkComponents(components, problems);
  }
  const nonce = body.nonce;
  if (typeof nonce === 'string' && nonce.length > 25) problems.push(`nonce is ${nonce.length} characters (max 25)`);
  if (typeof nonce === 'number' && !Number.isSafeInteger(nonce)) problems.push('nonce is not an integer');
  if (
    options.creating &&
    !str(content) &&
    embeds.length === 0 &&
    components.length === 0 &&
    !options.hasFiles &&
    !body.sticker_ids &&
    !body.poll
  ) {
    problems.push('a message needs content, embeds, components or a file');
  }
  return problems;
}

export function checkModal(data: JsonObject): string[] {
  const problems: string[] = [];
  const title = str(data.title);
  if (title.length < 1 || title.length > LIMITS.modalTitle) problems.push(`modal title is ${title.length} characters (1–45)`);
  checkCustomId('modal', data.custom_id, problems);
  const components = arr(data.components);
  if (components.length < 1 || components.length > LIMITS.modalComponents) problems.push(`modal has ${components.length} components (1–5)`);
  for (const row of components) {
    const inputs = row.type === 1 ? arr(row.components) : row.type === 18 && row.component ? [row.component as JsonObject] : [];
    for (const input of inputs) {
      checkCustomId('modal text input', input.custom_id, problems);
      if (typeof input.max_length === 'number' && input.max_length > LIMITS.textInputMax)
        problems.push(`text input max_length ${input.max_length} (max 4000)`);
      if (str(input.label).length > LIMITS.textInputLabel) problems.push('text input label over 45 characters');
    }
  }
  return problems;
}
