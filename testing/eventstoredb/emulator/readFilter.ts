import { streamsPb } from '../../../infrastructure/eventstoredb/esdbGenerated.ts';
import type { EmulatedEvent } from './emulatorStore.ts';

type FilterOptions = InstanceType<typeof streamsPb.ReadReq.Options.FilterOptions>;
const FilterCase = streamsPb.ReadReq.Options.FilterOptions.FilterCase;

/**
 * ReadReq.Options.FilterOptions as a predicate: a list of prefixes (any may match) or a
 * regex, on the stream name or on the event type. ESDB's search window (`max`) and
 * checkpoint interval only shape paging and checkpoints, which the emulator does not send.
 */
export const filterOf = (filter: FilterOptions | undefined): ((event: EmulatedEvent) => boolean) => {
  if (filter === undefined) return () => true;
  const onStream = filter.getFilterCase() === FilterCase.STREAM_IDENTIFIER;
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (expression === undefined) return () => true;
  const field = (event: EmulatedEvent) => (onStream ? event.streamId : event.type);
  const prefixes = expression.getPrefixList();
  if (prefixes.length > 0) return (event) => prefixes.some((prefix) => field(event).startsWith(prefix));
  const regex = new RegExp(expression.getRegex());
  return (event) => regex.test(field(event));
};
