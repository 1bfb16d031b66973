// Every periodic job the scheduler enqueues has a handler in the registry that
// workers run; a schedule entry without one would pile up unclaimed jobs.
import test from 'ava';
import { periodicJobs } from '../../server/jobs/schedule.ts';
import { createJobRegistry } from '../../server/jobs/handlers.ts';
import { loadConfig } from '../../config/load.ts';
import { databaseTargets, tempDir } from '../helpers/databases.ts';

const [sqlite] = await databaseTargets();

test('every periodic job type has a registered handler', async (t) => {
  const { db } = await sqlite!.create(t);
  const registry = createJobRegistry(db, loadConfig({ env: {}, cwd: tempDir(t), persistSecret: false }));
  for (const job of periodicJobs) t.truthy(registry.get(job.type), `${job.name} → ${job.type} has no handler`);
});
