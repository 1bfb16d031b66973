// Issue 5: filled in by the interactions work.
import { Router } from '@koa/router';
import type { ApiDeps } from '../../http/deps.ts';

export function createInteractionsRouter(_deps: ApiDeps): Router {
  return new Router();
}
