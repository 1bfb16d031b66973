// Issue 5: filled in by the notifications work.
import { Router } from '@koa/router';
import type { ApiDeps } from '../../http/deps.ts';

export function createNotificationsRouter(_deps: ApiDeps): Router {
  return new Router();
}
