import { allComponents } from './components-v2.js';
import type { JsonObject, StoredMessage } from './types.js';

/** A channel as plain text, the way a person would read it: for the demo and for debugging. */
export function renderChannel(messages: readonly StoredMessage[]): string {
  const out: string[] = [];
  for (const message of messages) {
    out.push('─'.repeat(72));
    if (message.content) out.push(message.content);
    for (const embed of message.embeds) {
      if (typeof embed.title === 'string') out.push(`【${embed.title}】`);
      if (typeof embed.description === 'string') out.push(embed.description);
      for (const field of (embed.fields as JsonObject[] | undefined) ?? []) out.push(`${String(field.name)}: ${String(field.value)}`);
    }
    const nested = allComponents(message.components);
    for (const part of nested) {
      if (part.type === 10) out.push(String(part.content));
      if (part.type === 12)
        out.push(
          `[gallery: ${((part.items as JsonObject[] | undefined) ?? []).map((i) => String((i.media as JsonObject).url)).join(', ')}]`,
        );
    }
    const buttons = nested.filter((c) => c.type === 2);
    const selects = nested.filter((c) => c.type === 3);
    for (const select of selects) out.push(`⟨${typeof select.placeholder === 'string' ? select.placeholder : 'Choose…'} ▾⟩`);
    if (buttons.length > 0) out.push(buttons.map((b) => `[${String(b.label)}${b.disabled ? ' (disabled)' : ''}]`).join(' '));
    if (message.attachments.length > 0) out.push(`attachments: ${message.attachments.map((a) => a.filename).join(', ')}`);
  }
  out.push('─'.repeat(72));
  return out.join('\n');
}
