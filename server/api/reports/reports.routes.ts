// Issue 5: filled in by the reports work.
import { Router } from '@koa/router';
import type { ApiDeps } from '../../http/deps.ts';

export function createReportsRouter(_deps: ApiDeps): Router {
  return new Router();
}
