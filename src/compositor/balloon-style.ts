import type { LineKind } from '../domain/lettering/script.js';

// How each kind of balloon is painted, shared by the PNG and SVG renderers so they agree.

export interface BalloonStyle {
  fill: string;
  text: string;
  dashed: boolean;
  /** Sound effects: letters outlined, with no balloon. */
  outline: boolean;
}

export function style(kind: LineKind): BalloonStyle {
  switch (kind) {
    case 'caption':
      return { fill: '#fff4c2', text: '#111', dashed: false, outline: false };
    case 'sound':
      return { fill: 'none', text: '#ffcf1f', dashed: false, outline: true };
    case 'whisper':
      return { fill: '#fff', text: '#333', dashed: true, outline: false };
    default:
      return { fill: '#fff', text: '#111', dashed: false, outline: false };
  }
}

export const strokeWidth = (fontSize: number) => Math.max(2, Math.round(fontSize * 0.11 * 10) / 10);
