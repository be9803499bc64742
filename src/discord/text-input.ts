import * as z from 'zod';
import { cleanTypedText } from '../domain/plain-text.js';
import { UserError } from '../services/user-error.js';

/** The text a person typed, cleaned and checked: a clear refusal for empty or overlong text. */
export function readText(raw: unknown, field: { label: string; max: number; min?: number }): string {
  const schema = z
    .string()
    .transform(cleanTypedText)
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
