import { PermissionFlagsBits } from 'discord.js';
import { BIBLE_ENTRY_TYPES, type BibleEntryType } from '../../domain/bible-entry.js';
import { addBibleEntry, BIBLE_EDIT_REFUSAL, describeAddedEntry, parseKeywords } from '../../services/bible-service.js';
import { findStoryHere } from '../../services/story-lookup.js';
import { formField, type ComponentHandler, type ComponentInput } from '../component-handler.js';
import { BIBLE_FIELDS } from '../../views/custom-id.js';
import { ephemeral } from '../reply.js';
import { readText } from '../text-input.js';

type BibleEntryForm = ComponentInput<'bibleentry'> & { type: BibleEntryType | undefined; allowed: boolean };

/** The /bible add form submitted: the entry is added to the story's bible (or replaces one of the same title). */
export const bibleentry: ComponentHandler<'bibleentry', BibleEntryForm> = {
  on: 'form',
  parse: (input) => ({
    ...input,
    type: BIBLE_ENTRY_TYPES[input.data.typeIndex],
    allowed: input.interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  }),
  async run(context, { data, place, interaction, type, allowed }) {
    if (!allowed) return ephemeral(BIBLE_EDIT_REFUSAL);
    const story = await findStoryHere(context.db, place);
    if (!type) return ephemeral('That form is not one storyroom understands. Nothing was changed.');
    const { entry, replaced } = await addBibleEntry(context.db, story.id, {
      title: readText(formField(interaction, BIBLE_FIELDS.title), { label: 'The title', max: 100 }),
      type,
      body: readText(formField(interaction, BIBLE_FIELDS.text), { label: 'The entry', max: 4_000 }),
      keywords: parseKeywords(formField(interaction, BIBLE_FIELDS.keywords)),
      priority: data.priorityPlus100 - 100,
      alwaysInclude: data.always === 1,
      userId: interaction.user.id,
    });
    return ephemeral(describeAddedEntry(entry, replaced));
  },
};
