import { asIs, type ComponentHandler } from '../component-handler.js';
import { anotherTake } from '../take-round.js';

/** Another take: one more take of the open round. */
export const another: ComponentHandler<'another'> = {
  on: 'button',
  parse: asIs,
  run: (context, { data, place }) => anotherTake(context, place, data),
};
