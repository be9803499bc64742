import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-24-001-initial-schema.js';
import * as promptBudget from './2026-11-24-002-prompt-budget.js';
import * as quorumRange from './2026-11-24-003-quorum-range.js';
import * as reviewTools from './2026-11-24-004-review-tools.js';
import * as voteCounter from './2026-11-26-001-vote-counter.js';
import * as retentionIndexes from './2026-11-26-002-retention-indexes.js';
import * as editedDrafts from './2026-11-26-003-edited-drafts.js';
import * as publishing from './2026-11-26-004-publishing.js';
import * as panelRenders from './2026-11-26-005-panel-renders.js';
import * as outboxCompletion from './2026-11-26-006-outbox-completion.js';
import * as messageClaims from './2026-11-26-007-message-claims.js';
import * as generationSlots from './2026-11-26-008-generation-slots.js';
import * as panelShape from './2026-11-26-009-panel-shape.js';
import * as panelReview from './2026-11-26-010-panel-review.js';
import * as takes from './2026-11-26-011-takes.js';
import * as memberRemovals from './2026-12-05-001-member-removals.js';
import * as interactionInbox from './2026-12-05-002-interaction-inbox.js';
import * as letteredPages from './2026-12-05-003-lettered-pages.js';
import * as letteringSettings from './2026-12-05-004-lettering-settings.js';
import * as takeOrigins from './2026-12-06-002-take-origins.js';
import * as letteredNudges from './2026-12-06-003-lettered-nudges.js';
import * as referenceImages from './2026-12-06-005-reference-images.js';
import * as messageViewVersions from './2026-12-06-001-message-view-versions.js';

// Every migration, by name; the Migrator applies them in name order. Add new files here.
export const migrations: Record<string, Migration> = {
  '2026-11-24-001-initial-schema': initialSchema,
  '2026-11-24-002-prompt-budget': promptBudget,
  '2026-11-24-003-quorum-range': quorumRange,
  '2026-11-24-004-review-tools': reviewTools,
  '2026-11-26-001-vote-counter': voteCounter,
  '2026-11-26-002-retention-indexes': retentionIndexes,
  '2026-11-26-003-edited-drafts': editedDrafts,
  '2026-11-26-004-publishing': publishing,
  '2026-11-26-005-panel-renders': panelRenders,
  '2026-11-26-006-outbox-completion': outboxCompletion,
  '2026-11-26-007-message-claims': messageClaims,
  '2026-11-26-008-generation-slots': generationSlots,
  '2026-11-26-009-panel-shape': panelShape,
  '2026-11-26-010-panel-review': panelReview,
  '2026-11-26-011-takes': takes,
  '2026-12-05-001-member-removals': memberRemovals,
  '2026-12-05-002-interaction-inbox': interactionInbox,
  '2026-12-05-003-lettered-pages': letteredPages,
  '2026-12-05-004-lettering-settings': letteringSettings,
  '2026-12-06-002-take-origins': takeOrigins,
  '2026-12-06-003-lettered-nudges': letteredNudges,
  '2026-12-06-005-reference-images': referenceImages,
  '2026-12-06-001-message-view-versions': messageViewVersions,
};
