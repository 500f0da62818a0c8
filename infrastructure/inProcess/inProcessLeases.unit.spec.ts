import { systemClock } from '../../application/ports/clock.ts';
import { describeLeasesContract } from '../../application/ports/lease/lease.contract.ts';
import { InProcessLeases } from './inProcessLeases.ts';

describeLeasesContract('in process', async () => {
  const leases = new InProcessLeases(systemClock);
  return { leases, other: leases.sibling(), cleanup: () => leases.close() };
});
