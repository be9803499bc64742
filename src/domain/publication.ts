// A published story's address: PUBLIC_URL/<slug>-<token>. The slug is for people (from the title);
// the token is the secret that makes the link unguessable, 128 random bits as 32 hex digits.

const SLUG_MAX = 60;
// Bounded on both sides, so a long hostile path cannot make it backtrack.
const PUBLIC_PATH = /^([a-z0-9-]{1,60})-([0-9a-f]{32})$/;

/** A readable, URL-safe slug from a title: accents dropped, anything else a single dash, at most 60 characters. */
export function slugFromTitle(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, '');
  return slug || 'story';
}

/** The path segment a published story lives at. */
export function publicPathOf(publication: { slug: string; token: string }): string {
  return `${publication.slug}-${publication.token}`;
}

/** Reads `<slug>-<token>`; null for anything else (the caller answers 404 without saying more). */
export function parsePublicPath(segment: string): { slug: string; token: string } | null {
  const match = PUBLIC_PATH.exec(segment);
  if (!match?.[1] || !match[2]) return null;
  return { slug: match[1], token: match[2] };
}
