// `npm run bench -- <scenario> [options]`: loads bench/<scenario>.ts and prints
// the figures its `run(args)` returns as one JSON object on stdout.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

interface Scenario {
  run(args: string[]): Promise<unknown>;
}

const benchDir = fileURLToPath(new URL('.', import.meta.url));

// A scenario is any bench/<name>.ts but run.ts, _-prefixed files and a
// scenario's own helpers, named after it with a dash (feed-seed.ts,
// federation-stub.ts): those export no run(args).
function scenarios(): string[] {
  const names = readdirSync(benchDir)
    .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.startsWith('_'))
    .map((file) => file.slice(0, -'.ts'.length));
  return names.filter((candidate) => !names.some((other) => candidate.startsWith(`${other}-`))).sort();
}

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name) || !existsSync(join(benchDir, `${name}.ts`)) || !scenarios().includes(name)) {
  process.stderr.write(`usage: npm run bench -- <scenario> [options]\nscenarios: ${scenarios().join(', ')}\n`);
  process.exit(2);
}

const scenario = (await import(pathToFileURL(join(benchDir, `${name}.ts`)).href)) as Scenario;
if (typeof scenario.run !== 'function') {
  process.stderr.write(`bench/${name}.ts exports no run(args) function\n`);
  process.exit(2);
}
const figures = await scenario.run(args);
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
