import type { SlashCommandSubcommandBuilder } from '@discordjs/builders';
import type { ChatInputCommandInteraction } from 'discord.js';
import type { HandlerContext } from '../../src/discord/context.js';
import { downloadAttachment } from '../../src/discord/attachment-download.js';
import type { Reply } from '../../src/discord/reply.js';
import { ephemeral } from '../../src/discord/reply.js';
import { readText } from '../../src/discord/text-input.js';
import { MAX_REFERENCES_PER_CHARACTER } from '../../src/domain/character-references.js';
import { REFERENCE_LIMITS } from '../../src/domain/reference-image.js';
import { addReferenceImage, removeReferenceImage, type ReferenceTarget } from '../../src/services/reference-service.js';
import { UserError } from '../../src/services/user-error.js';

/** `/bible image`: a reference image for a bible character (or the story's style), or `remove:` one. */
export function imageSubcommand(sub: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return sub
    .setName('image')
    .setDescription(`A reference image a character is drawn from (Manage Server): PNG, JPEG or WebP, up to ${MAX_REFERENCES_PER_CHARACTER}`)
    .addStringOption((o) => o.setName('character').setDescription('The bible character, e.g. Kai').setMaxLength(100).setAutocomplete(true))
    .addAttachmentOption((o) => o.setName('file').setDescription('The image (PNG, JPEG or WebP, at most 10 MB and 4096 pixels a side)'))
    .addBooleanOption((o) => o.setName('style').setDescription('The story’s style reference, used for every panel, instead of a character'))
    .addIntegerOption((o) =>
      o
        .setName('remove')
        .setDescription('Remove this reference instead (its number in /bible show)')
        .setMinValue(1)
        .setMaxValue(MAX_REFERENCES_PER_CHARACTER),
    );
}

export async function bibleImageCommand(
  context: HandlerContext,
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  storyId: number,
): Promise<Reply> {
  const name = interaction.options.getString('character');
  const style = interaction.options.getBoolean('style') ?? false;
  if (style === (name !== null))
    throw new UserError(
      'Name a bible character with character:, or choose style:True for the story’s style reference. Nothing was stored.',
    );
  const target: ReferenceTarget = style
    ? { kind: 'style' }
    : { kind: 'character', name: readText(name, { label: 'The character', max: 100 }) };
  const remove = interaction.options.getInteger('remove');
  if (remove !== null) {
    const removed = await removeReferenceImage(context.db, storyId, { target, position: remove, userId: interaction.user.id });
    return ephemeral(`Removed reference ${remove} of ${removed.name}; ${removed.left} left. Panels drawn with it keep it.`);
  }
  const file = interaction.options.getAttachment('file');
  if (!file) throw new UserError('Attach the image with file:, or give remove: to take one away. Nothing was stored.');
  if (file.size > REFERENCE_LIMITS.maxBytes)
    throw new UserError(`The image is too large; keep it under ${REFERENCE_LIMITS.maxBytes / (1024 * 1024)} MB. Nothing was stored.`);
  const bytes = await downloadAttachment(file, {
    allowedOrigins: context.config.discord.attachmentOrigins,
    maxBytes: REFERENCE_LIMITS.maxBytes,
  });
  const { reference, position } = await addReferenceImage(context.db, storyId, {
    target,
    bytes,
    source: 'upload',
    renderId: null,
    userId: interaction.user.id,
  });
  return ephemeral(
    style
      ? 'Stored the story’s style reference: every panel is drawn with it from now on (when the workflow has a style slot).'
      : `Stored reference ${position} of **${reference.character_name}**.${position === 1 ? ` Panels showing ${reference.character_name} are drawn with it from now on.` : ' The first one listed is the one panels are drawn with.'}`,
  );
}
