// Text from co-writers, the story bible and earlier model output enters a prompt as material: fenced in
// <<< >>> so the model can tell it from instructions. The agents' instructions name the fence.
// Material cannot end its block early or open a fake one: a run of three or more angle brackets is
// spaced out. A label (an entry title, say) is one line with the same markers defused.

const MARKER_RUN = /<{3,}|>{3,}/g;
const LABEL_LIMIT = 200;

function defuseMarkers(text: string): string {
  return text.replace(MARKER_RUN, (run) => [...run].join(' '));
}

export function materialLabel(text: string): string {
  const line = defuseMarkers(text.replace(/\s+/g, ' ').trim());
  return line.length > LABEL_LIMIT ? `${line.slice(0, LABEL_LIMIT - 1)}…` : line;
}

export function materialBlock(label: string, text: string): string {
  return `${materialLabel(label)}:\n<<<\n${defuseMarkers(text.trim())}\n>>>`;
}
