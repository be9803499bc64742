import { asIs, type ComponentHandler } from '../component-handler.js';
import { pickTake } from '../take-round.js';

/** Pick: a co-writer's choice of one take of a round. */
export const pick: ComponentHandler<'pick'> = {
  on: 'button',
  parse: asIs,
  run: (context, { data, place }) => pickTake(context, place, data),
};
