import { postgresCatchUpBench } from './postgresCatchUp.ts';

/** `node bin/run.js bench/postgresCatchUpMain.ts [events=100000]`: needs PostgreSQL's server binaries (see testing/postgres) */
await postgresCatchUpBench(Number(process.argv[2] ?? 100_000));
