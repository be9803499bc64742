import type { JsonObject } from './types.js';

// Components V2 as Discord checks it (docs: Components overview / reference): a message sent with
// IS_COMPONENTS_V2 shows only components — no content, embeds, poll or stickers; at most 10 top-level
// components and 40 in all, nested ones included; at most 4000 characters across its text displays;
// a media gallery holds 1–10 items. The flag cannot be removed once set; a message gains it on an edit
// only when its content and embeds are cleared at the same time.

export const COMPONENTS_V2_FLAG = 1 << 15;

export const V2_LIMITS = { topLevel: 10, total: 40, text: 4000, galleryItems: 10 } as const;

const ACTION_ROW = 1;
const TEXT_DISPLAY = 10;
const MEDIA_GALLERY = 12;
const SEPARATOR = 14;
const CONTAINER = 17;
/** Buttons and the selects: what an action row holds. */
const IN_ROW = new Set([2, 3, 5, 6, 7, 8]);
/** What a container may hold (sections, thumbnails and files are not emulated: refused as unknown). */
const IN_CONTAINER = new Set([ACTION_ROW, TEXT_DISPLAY, MEDIA_GALLERY, SEPARATOR]);
const TOP_LEVEL = new Set([ACTION_ROW, TEXT_DISPLAY, MEDIA_GALLERY, SEPARATOR, CONTAINER]);

const arr = (value: unknown): JsonObject[] => (Array.isArray(value) ? (value as JsonObject[]) : []);

export const isV2 = (flags: unknown): boolean => typeof flags === 'number' && (flags & COMPONENTS_V2_FLAG) !== 0;

/** Problems with a V2 message's fields and components. */
export function checkComponentsV2(body: JsonObject): string[] {
  const problems: string[] = [];
  if (typeof body.content === 'string' && body.content !== '') problems.push('IS_COMPONENTS_V2: content must not be set');
  if (arr(body.embeds).length > 0) problems.push('IS_COMPONENTS_V2: embeds must not be set');
  if (body.poll || body.sticker_ids) problems.push('IS_COMPONENTS_V2: poll and stickers must not be set');
  const top = arr(body.components);
  if (top.length > V2_LIMITS.topLevel) problems.push(`${top.length} top-level components (max ${V2_LIMITS.topLevel})`);
  const totals = { components: 0, text: 0 };
  top.forEach((component, i) => walk(component, `component ${i}`, TOP_LEVEL, totals, problems));
  if (totals.components > V2_LIMITS.total) problems.push(`${totals.components} components in all (max ${V2_LIMITS.total})`);
  if (totals.text > V2_LIMITS.text) problems.push(`text displays total ${totals.text} characters (max ${V2_LIMITS.text})`);
  return problems;
}

function walk(
  component: JsonObject,
  where: string,
  allowed: Set<number>,
  totals: { components: number; text: number },
  problems: string[],
) {
  const type = Number(component.type);
  totals.components += 1;
  if (!allowed.has(type)) {
    problems.push(`${where}: component type ${type} is not allowed here`);
    return;
  }
  if (type === TEXT_DISPLAY) {
    const content = typeof component.content === 'string' ? component.content : '';
    if (content.length === 0) problems.push(`${where}: a text display needs content`);
    totals.text += content.length;
  } else if (type === MEDIA_GALLERY) {
    const items = arr(component.items);
    if (items.length < 1 || items.length > V2_LIMITS.galleryItems)
      problems.push(`${where}: media gallery has ${items.length} items (1–10)`);
    items.forEach((item, k) => {
      const url = (item.media as JsonObject | undefined)?.url;
      if (typeof url !== 'string' || url === '') problems.push(`${where} item ${k}: media needs a url`);
      if (typeof item.description === 'string' && item.description.length > 1024)
        problems.push(`${where} item ${k}: description over 1024`);
    });
  } else if (type === CONTAINER) {
    const children = arr(component.components);
    if (children.length === 0) problems.push(`${where}: a container needs components`);
    children.forEach((child, k) => walk(child, `${where}.${k}`, IN_CONTAINER, totals, problems));
  } else if (type === ACTION_ROW) {
    arr(component.components).forEach((child, k) => walk(child, `${where}.${k}`, IN_ROW, totals, problems));
  }
}

/** Problems with an edit's flag: V2 is never removed, and is gained only with content and embeds cleared. */
export function checkV2Edit(body: JsonObject, existing: { flags: number; content: string; embeds: readonly JsonObject[] }): string[] {
  if (typeof body.flags !== 'number') return [];
  const was = isV2(existing.flags);
  const will = isV2(body.flags);
  if (was && !will) return ['IS_COMPONENTS_V2 cannot be removed from a message'];
  if (!was && will) {
    const contentLeft = body.content === undefined ? existing.content : body.content;
    const embedsLeft = body.embeds === undefined ? existing.embeds : arr(body.embeds);
    if ((typeof contentLeft === 'string' && contentLeft !== '') || (Array.isArray(embedsLeft) && embedsLeft.length > 0))
      return ['a message gains IS_COMPONENTS_V2 only with its content and embeds set to null'];
  }
  return [];
}

/** Every component of a message, nested ones included (rows in containers): how a client finds a button. */
export function allComponents(components: readonly JsonObject[]): JsonObject[] {
  return components.flatMap((c) => [c, ...allComponents(arr(c.components))]);
}
