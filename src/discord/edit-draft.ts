import { LabelBuilder, ModalBuilder, TextInputBuilder } from '@discordjs/builders';
import { TextInputStyle } from 'discord.js';
import type { PageRevision } from '../db/database.js';
import { dialogueScriptSchema, formatScriptForEditing } from '../domain/dialogue-script.js';
import { editDraft, EditRefused, EDIT_FORM_MAX, type EditSource } from '../services/edit-draft.js';
import type { InteractionPlace } from '../services/co-writers.js';
import type { HandlerContext } from './context.js';
import { EDIT_FIELD, encodeCustomId } from '../views/custom-id.js';
import { draftViewOf, renderDraftMessage } from '../views/page-messages.js';
import type { Reply } from './reply.js';
import { takeLetter } from '../domain/takes.js';

// Edit: the form prefilled with the open draft, and what saving it answers.

/** The draft as a person edits it: narration as it is, dialogue as a typed script. */
export function editableText(revision: Pick<PageRevision, 'kind' | 'body' | 'structured'>): string {
  if (revision.kind === 'narration') return revision.body;
  const script = dialogueScriptSchema.safeParse(revision.structured);
  return script.success ? formatScriptForEditing(script.data) : revision.body;
}

export function editForm(
  pageNumber: number,
  revision: Pick<PageRevision, 'id' | 'page_id' | 'kind' | 'version'>,
  text: string,
): ModalBuilder {
  const hint = revision.kind === 'dialogue' ? 'Panel 1 · *caption* · SPEAKER: line' : 'The narration';
  return new ModalBuilder()
    .setCustomId(encodeCustomId({ action: 'editsave', pageId: revision.page_id, revisionId: revision.id }))
    .setTitle(`Edit page ${pageNumber} ${revision.kind} v${revision.version}`.slice(0, 45))
    .addLabelComponents(
      new LabelBuilder()
        .setLabel(hint)
        .setTextInputComponent(
          new TextInputBuilder()
            .setCustomId(EDIT_FIELD)
            .setStyle(TextInputStyle.Paragraph)
            .setValue(text)
            .setMinLength(1)
            .setMaxLength(EDIT_FORM_MAX)
            .setRequired(true),
        ),
    );
}

/** Saves an edit; a refusal gives the co-writer their text back (as a file when it is long), so nothing typed is lost. */
export async function saveEdit(
  context: HandlerContext,
  place: InteractionPlace,
  target: { pageId: number; revisionId: number },
  typed: string,
  from: EditSource = 'form',
): Promise<Reply> {
  try {
    const edited = await editDraft(context.db, place, target, typed, context.config.review, from);
    if (edited.revision.take > 0) {
      // In a round of takes the edit is one more take: the round's vote goes on, its messages are redrawn.
      return {
        type: 'message',
        ephemeral: true,
        body: {
          content: `You saved your edit as take ${takeLetter(edited.revision.take)} of ${edited.revision.kind} v${edited.revision.version}: it joins the round below, and picks so far stand.`,
        },
      };
    }
    const body = renderDraftMessage(draftViewOf(edited.page.number, edited.replaced), { phase: 'superseded' });
    return {
      type: 'update',
      body: { embeds: body.embeds, components: body.components },
      note: `You saved ${edited.revision.kind} v${edited.revision.version}: it is up for a vote below (earlier votes stay with v${edited.replaced.version}).`,
    };
  } catch (error) {
    if (!(error instanceof EditRefused)) throw error;
    return givenBack(error.message, error.typed, 'your-edit.txt');
  }
}

const INLINE_MAX = 1_700;

/** A refusal that gives the person's text back (inline to copy, or attached when long): nothing typed is lost. */
export function givenBack(reason: string, typed: string, fileName: string): Reply {
  if (typed.trim() === '') return { type: 'message', ephemeral: true, body: { content: reason } };
  if (typed.length <= INLINE_MAX && !typed.includes('```')) {
    return { type: 'message', ephemeral: true, body: { content: `${reason}\nYour text, to copy:\n\`\`\`\n${typed}\n\`\`\`` } };
  }
  return {
    type: 'message',
    ephemeral: true,
    body: { content: `${reason}\nYour text is attached.`, files: [{ name: fileName, data: Buffer.from(typed, 'utf8') }] },
  };
}
