// Issue 5: filled in by the social work.
import { Router } from '@koa/router';
import type { ApiDeps } from '../../http/deps.ts';

export function createSocialRouter(_deps: ApiDeps): Router {
  return new Router();
}
