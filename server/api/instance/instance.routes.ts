// GET /api/v1/instance and /api/v2/instance: what apps read before anything
// else (limits, registration mode, version). Public: no token looked at.
import { Router } from '@koa/router';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { getInstanceInfo, type InstanceInfo } from '../../services/instance/instance-info.service.ts';
import { videoTools } from '../../services/media/video-tools.ts';
import { defaultHeaderUrl, serializeAccount } from '../entities/account.ts';
import { serializeInstanceV1, serializeInstanceV2, type InstanceFacts } from '../entities/instance.ts';

export function createInstanceRouter(deps: ApiDeps): Router {
  const { config, db } = deps;
  const router = new Router();
  router.use(apiCors(), apiRateLimit(deps));

  const facts = async (info: InstanceInfo): Promise<InstanceFacts> => ({
    ...info,
    contactAccount: info.contactAccount ? serializeAccount(config, info.contactAccount, { role: 'admin' }) : null,
    thumbnailUrl: defaultHeaderUrl(config),
    vapidPublicKey: '', // web push comes with the notifications issue
    videoAvailable: (await videoTools(config)) !== null,
  });

  router.get('/api/v1/instance', async (ctx) => {
    ctx.body = serializeInstanceV1(config, await facts(await getInstanceInfo(db, config)));
  });

  router.get('/api/v2/instance', async (ctx) => {
    ctx.body = serializeInstanceV2(config, await facts(await getInstanceInfo(db, config)));
  });

  return router;
}
