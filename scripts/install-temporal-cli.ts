// Installs the project-local Temporal CLI ahead of time (CI, Docker builds). `npm start` / `npm test` do the
// same lazily, so running this is optional.
import { locateTemporalCli } from '../src/temporal/cli-binary';

const cli = locateTemporalCli(process.env, (m) => console.log(m));
console.log(`Temporal CLI: ${cli.path ?? '(SDK download at first start)'} [${cli.source}]`);
