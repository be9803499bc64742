import { composeLetteredPage } from '../compositor/compose-lettered-page.js';
import type { Db } from '../db/connection.js';
import { postgresImageStore } from '../db/image-store.js';
import { findLetteredVersion, getLetteredPage, insertLetteredVersion } from '../db/lettered-pages.js';
import type { LetteredPageRow } from '../db/lettering-tables.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { findPanelSetApproval } from '../db/panel-review.js';
import { listApprovedPanelImages } from '../db/reader.js';
import { getStory } from '../db/stories.js';
import { runInTransaction } from '../db/unit-of-work.js';
import { dialogueScriptSchema } from '../domain/dialogue-script.js';
import type { JobData } from '../domain/jobs.js';
import { letteringLayoutOf } from '../domain/lettering-settings.js';
import { flagLines, scriptForVersion } from '../domain/lettered-page.js';
import { nudgesAfter } from '../domain/lettering/nudges.js';
import { letteringScriptFromDialogue } from '../domain/lettering/script.js';

export type ComposePageOutcome =
  | { kind: 'page gone' | 'not the approved set' | 'no script' | 'no panels' }
  | { kind: 'composed'; lettered: LetteredPageRow; superseded: LetteredPageRow[] };

/**
 * Letters a page's approved panels with its approved dialogue as a new version: the PNG kept in the
 * image store, the layout and SVG (panels linked to the image API) in `lettered_pages`, and the
 * page's open versions superseded. Run twice for one version, the version already written is returned.
 */
export async function composePage(db: Db, request: JobData<'compose-page'>): Promise<ComposePageOutcome> {
  const page = await getPageWithPlace(db, request.pageId);
  if (!page) return { kind: 'page gone' };
  if ((await findPanelSetApproval(db, page.id))?.setVersion !== request.setVersion) return { kind: 'not the approved set' };
  const already = await findLetteredVersion(db, page.id, request.version);
  if (already)
    return already.set_version === request.setVersion
      ? { kind: 'composed', lettered: already, superseded: [] }
      : { kind: 'not the approved set' };

  const dialogue = page.approved_dialogue_id === null ? undefined : await getRevision(db, page.approved_dialogue_id);
  const parsed = dialogueScriptSchema.safeParse(dialogue?.structured);
  if (!parsed.success) return { kind: 'no script' };
  const panels = await listApprovedPanelImages(db, [page.id]);
  const images = postgresImageStore(db);
  const pictures: Buffer[] = [];
  for (const panel of panels) {
    const image = await images.get(panel.hash);
    if (!image) return { kind: 'no panels' };
    pictures.push(image.bytes);
  }
  if (pictures.length === 0) return { kind: 'no panels' };

  // A script with more panels than were drawn letters the drawn ones (the set approved is what shows).
  const script = { ...parsed.data, panels: parsed.data.panels.slice(0, pictures.length) };
  const story = await getStory(db, page.story_id);
  const language = story?.language ?? 'und';
  const settings = { ...letteringLayoutOf(story?.page_format ?? 'comic', language), language };
  // A nudge keeps the places of the version it nudged and adds to its nudges; a Re-letter takes the next places afresh.
  const base = request.version > 1 ? await findLetteredVersion(db, page.id, request.version - 1) : undefined;
  const variant = request.nudge ? (base?.variant ?? request.version) : base ? base.variant + 1 : request.version;
  const nudges = request.nudge ? nudgesAfter(base?.nudges ?? [], request.nudge) : [];
  const lettering = { ...scriptForVersion(letteringScriptFromDialogue(script, panels, settings), variant), nudges };
  const composed = await composeLetteredPage(lettering, pictures, { panelHref: (i) => `/api/images/${panels[i]?.hash ?? ''}` });
  const imageHash = await images.put({
    bytes: composed.png,
    contentType: 'image/png',
    width: composed.page.width,
    height: composed.page.height,
  });

  return runInTransaction(db, async (trx) => {
    const { row, superseded } = await insertLetteredVersion(trx, {
      pageId: page.id,
      version: request.version,
      setVersion: request.setVersion,
      imageHash,
      svg: composed.svg,
      layout: composed.page,
      flagged: flagLines(lettering, composed.page.problems),
      createdBy: request.requestedBy ?? null,
      variant,
      nudges,
    });
    const rows = await Promise.all(superseded.map((id) => getLetteredPage(trx, id)));
    return { kind: 'composed', lettered: row, superseded: rows.filter((r): r is LetteredPageRow => r !== undefined) };
  });
}
