import * as z from 'zod';

// The shapes several configuration variables share, each with the sentence a bad value is reported with.

export const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17–20 digits)');
export const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const jsonText = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    return z.NEVER;
  }
});

/**
 * A URL's `user:password@`, turned into a Basic Authorization header (fetch refuses credentials in a
 * URL), and the URL without them and without a trailing slash.
 */
export function splitUrlCredentials(text: string): { url: string; authorization: string | null } {
  const parsed = new URL(text);
  const authorization =
    parsed.username || parsed.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
      : null;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/+$/, ''), authorization };
}
// A bearer token, in the characters hono's bearerAuth accepts (RFC 6750's b64token): another would never match.
export const bearerToken = z
  .string()
  .min(16, 'must be at least 16 characters')
  .regex(/^[A-Za-z0-9._~+/-]+=*$/, 'may hold only letters, digits, . _ ~ + / - and = at the end');
