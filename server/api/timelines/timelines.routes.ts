// Issue 5: filled in by the timelines work.
import { Router } from '@koa/router';
import type { ApiDeps } from '../../http/deps.ts';

export function createTimelinesRouter(_deps: ApiDeps): Router {
  return new Router();
}
