// `viewfinder serve`: runs the server until SIGINT/SIGTERM, then stops it
// gracefully (in-flight requests and jobs finish, connections close).
import { Option, type Command } from 'commander';
import type { Role } from '../../serve.ts';
import { getLogger } from '../../logging.ts';
import { integerIn, type CliContext } from './common.ts';

const roleChoices: Role[] = ['all', 'web', 'worker'];

export function registerServeCommand(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('run the server (applies pending migrations on start)')
    .addOption(new Option('--role <role>', 'all: HTTP and jobs in one process; web: HTTP only; worker: jobs and scheduler only').choices(roleChoices).default('all'))
    .option('--port <port>', 'HTTP port (overrides VIEWFINDER_PORT)', integerIn(0, 65535))
    .option('--host <host>', 'address to bind (overrides VIEWFINDER_HOST)')
    .action(async (options: { role: Role; port?: number; host?: string }) => {
      const config = await context.loadConfig({ port: options.port, host: options.host });
      const log = getLogger('cli');
      // Loaded here, not at the top: the server pulls in Fedify, Koa and more,
      // which the other commands do not need to start quickly.
      const { serve } = await import('../../serve.ts');
      const running = await serve(config, { role: options.role });
      if (running.url) log.info('Ready at {url}; press Ctrl-C to stop', { url: running.url });
      else log.info('Job worker ready; press Ctrl-C to stop');
      const signal = await nextSignal();
      log.info('Received {signal}, stopping (send it again to force)', { signal });
      const force = () => {
        context.io.err('Forced exit before a clean stop.');
        process.exit(1);
      };
      process.once('SIGINT', force).once('SIGTERM', force);
      await running.stop();
      log.info('Stopped');
    });
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
