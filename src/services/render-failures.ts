import type { RenderFailureKind } from '../db/render-tables.js';

// What co-writers read when a panel's render ends without an image, kind by kind: what happened and who
// can fix it, in plain words. No server names, node names or ids, paths, file or model names: those are
// in the operator's log. Where a person must act it is whoever runs the bot, and each text says whether
// Retry (every kind but `refused` and `off`) or Reroll draws the panel once it is fixed.

const ASK = 'ask whoever runs the bot';

/** Every text a failed render can show, by the kind it is stored with. */
export const RENDER_FAILURE_TEXTS = {
  unreachable: {
    attemptsUsed: (attempts: number) =>
      `the image server could not be reached after ${attempts} tries; Retry may work once it is back, or ${ASK}`,
  },
  refused: {
    missingModel: `the image server is missing a model it needs to draw panels; ${ASK}. Reroll works once it is fixed`,
    setup: `the image server refused the bot's drawing setup; ${ASK} to check it. Reroll works once it is fixed`,
  },
  error: {
    outOfMemory: `the image server ran out of memory drawing this panel; Retry may work when it is less busy, or ${ASK}`,
    missingFile: `the image server is missing something it needs to draw this panel (a model, perhaps); ${ASK}. Retry works once it is fixed`,
    drawingFailed: `the image server failed while drawing this panel; Retry may work, or ${ASK} (the details are in its log)`,
    notFinished: `the render could not be finished after several attempts; Retry may work, or ${ASK} (the details are in its log)`,
    notStarted: `the render could not be started after several attempts; Retry may work, or ${ASK} (the details are in its log)`,
  },
  interrupted: {
    stopped: `the render was stopped on the image server before it finished; Retry draws it again, or ${ASK} if it happens again`,
  },
  timeout: {
    tooLong: 'the render took longer than the time allowed and was stopped; Retry draws it again',
    workerStopped: 'the render did not finish in the time allowed (the bot stopped drawing it); Retry draws it again',
  },
  lost: {
    restartedTwice: `the image server restarted twice during the render; Retry draws it again, or ${ASK} if it keeps happening`,
  },
  no_image: {
    noPicture: `the image server finished without sending back a picture; ${ASK}. Retry works once it is fixed`,
    unusablePicture: `the image server sent back a picture the bot cannot use (too large or broken); ${ASK}. Retry works once it is fixed`,
  },
  off: {
    noServer: `rendering is off on this bot (it has no image server set up); ${ASK} to turn it on. Reroll works once it is on`,
  },
} as const satisfies Record<RenderFailureKind, Record<string, string | ((attempts: number) => string)>>;

/** Every text above written out (the attempts-used one with the render job's five attempts), for checks that read them all. */
export function everyRenderFailureText(): { kind: RenderFailureKind; text: string }[] {
  return Object.entries(RENDER_FAILURE_TEXTS).flatMap(([kind, texts]) =>
    Object.values(texts).map((text: string | ((attempts: number) => string)) => ({
      kind: kind as RenderFailureKind,
      text: typeof text === 'string' ? text : text(5),
    })),
  );
}
