// Mastodon's POST /api/v1/reports: a user reports an account (and some of its
// posts) to the moderators. The handler parses, calls one service function
// and serializes.
import { Router } from '@koa/router';
import { authenticate, requireScopes, signedIn } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { fileReport } from '../../services/moderation/file-report.service.ts';
import { serializeReport } from '../entities/report.ts';
import { readBody } from '../statuses/status-params.ts';
import { readNewReport } from './report-params.ts';

export function createReportsRouter(deps: ApiDeps): Router {
  const { config, db } = deps;
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));

  router.post('/api/v1/reports', requireScopes('write:reports'), async (ctx) => {
    const input = readNewReport(await readBody(ctx));
    ctx.body = serializeReport(config, await fileReport(db, signedIn(ctx).account.id, input));
  });

  return router;
}
