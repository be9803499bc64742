import type { ComponentHandler } from '../component-handler.js';
import type { CustomIdAction } from '../../views/custom-id.js';
import { advisoryretry } from './advisoryretry.js';
import { another } from './another.js';
import { approve } from './approve.js';
import { bibleentry } from './bibleentry.js';
import { cancel } from './cancel.js';
import { edit } from './edit.js';
import { editsave } from './editsave.js';
import { feedback } from './feedback.js';
import { join } from './join.js';
import { letterok } from './letterok.js';
import { letterretry } from './letterretry.js';
import { nudge } from './nudge.js';
import { nudgepick } from './nudgepick.js';
import { panelsok } from './panelsok.js';
import { panelsretry } from './panelsretry.js';
import { pick } from './pick.js';
import { prompt } from './prompt.js';
import { promptsave } from './promptsave.js';
import { reletter } from './reletter.js';
import { reroll } from './reroll.js';
import { retry } from './retry.js';
import { revise } from './revise.js';
import { useref } from './useref.js';
import { userefsave } from './userefsave.js';

/** Every custom_id action's handler, like COMMANDS: an action of the codec without a handler does not compile. */
export const COMPONENTS = {
  approve,
  revise,
  feedback,
  edit,
  editsave,
  pick,
  another,
  join,
  retry,
  cancel,
  reroll,
  prompt,
  promptsave,
  panelsok,
  panelsretry,
  letterok,
  reletter,
  nudge,
  nudgepick,
  letterretry,
  advisoryretry,
  bibleentry,
  useref,
  userefsave,
} satisfies { [A in CustomIdAction]: ComponentHandler<A, unknown> };
