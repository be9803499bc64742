import * as z from 'zod';
import { UserError } from '../services/user-error.js';

// Control characters other than newline and tab have no place in a story and can break rendering.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The text a person typed, cleaned and checked: a clear refusal for empty or overlong text. */
export function readText(raw: unknown, field: { label: string; max: number; min?: number }): string {
  const schema = z
    .string()
    .transform((text) => text.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim())
    .pipe(
      z
        .string()
        .min(field.min ?? 1, `${field.label} is empty. Write something first.`)
        .max(field.max, `${field.label} is too long: keep it under ${field.max} characters.`),
    );
  const parsed = schema.safeParse(typeof raw === 'string' ? raw : '');
  if (!parsed.success) throw new UserError(parsed.error.issues[0]?.message ?? `${field.label} is not valid.`);
  return parsed.data;
}
