// Issue 5: filled in by the conversations work.
import { Router } from '@koa/router';
import type { ApiDeps } from '../../http/deps.ts';

export function createConversationsRouter(_deps: ApiDeps): Router {
  return new Router();
}
