// The delivery half of the federation bench: the author posts a processed
// photo through the client API, and the clock runs from that POST until the
// stub has had a request at every follower's inbox. The queue is sampled
// meanwhile, to show where the time went (send job, fan-out job, deliveries).
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import type { Db } from '../server/db/knex.ts';
import { cpuPer, cpuWindow, jobCounts, perSecond, serverCpuMs, settle, type BenchServer, type Settings } from './federation-common.ts';
import type { Author } from './federation-seed.ts';
import type { Stub } from './federation-stub.ts';

export const DELIVERY_JOBS = ['federation.send', 'fedify.fanout', 'fedify.outbox'];

async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const form = body instanceof FormData;
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && !form ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A processed photo of the author's, ready to attach (as test/federation/actions.ts waits for one). */
async function uploadPhoto(url: string, author: Author): Promise<string> {
  const jpeg = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'bench.jpg');
  form.append('description', 'A blue rectangle');
  const upload = await api(url, author.token, 'POST', '/api/v2/media', form);
  if (upload.status !== 200 && upload.status !== 202) throw new Error(`upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
  for (let i = 0; i < 600; i++) {
    if ((await api(url, author.token, 'GET', `/api/v1/media/${upload.body.id}`)).status === 200) return String(upload.body.id);
    await sleep(100);
  }
  throw new Error('the photo was not processed within 60 s');
}

export async function measureDeliveries(s: Settings, server: BenchServer, db: Db, stub: Stub, author: Author, inboxes: number) {
  const mediaId = await uploadPhoto(server.url, author);
  // Followers' servers fetched the author's actor when they followed, which
  // is when the server made its keys: the seeded followers never did.
  const actor = await fetch(`${server.url}/users/author`, { headers: { Accept: 'application/activity+json' } });
  if (!actor.ok) throw new Error(`the author's actor answered ${actor.status}`);
  await settle(db, DELIVERY_JOBS, 30_000);
  stub.reset();
  const cpuBefore = serverCpuMs(server.child.pid);
  const cpu = cpuWindow(server.child.pid);
  const started = performance.now();
  const created = await api(server.url, author.token, 'POST', '/api/v1/statuses', { status: 'A photo for the remote followers', media_ids: [mediaId], visibility: 'public' });
  const answeredMs = performance.now() - started;
  if (created.status !== 200) throw new Error(`posting failed: ${created.status} ${JSON.stringify(created.body)}`);

  // When the send job, then the fan-out job, were gone; how many deliveries were queued at once at most.
  const queue = { sendJobDoneMs: NaN, fanoutJobDoneMs: NaN, maxOutboxJobs: 0 };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const counts = await jobCounts(db, DELIVERY_JOBS);
      const at = Math.round(performance.now() - started);
      if (counts['federation.send'] === 0 && Number.isNaN(queue.sendJobDoneMs)) queue.sendJobDoneMs = at;
      if (counts['federation.send'] === 0 && counts['fedify.fanout'] === 0 && Number.isNaN(queue.fanoutJobDoneMs)) queue.fanoutJobDoneMs = at;
      queue.maxOutboxJobs = Math.max(queue.maxOutboxJobs, counts['fedify.outbox']!);
      await sleep(100);
    }
  })();
  let done;
  try {
    done = await stub.waitForInboxes(inboxes, s.timeout * 1000);
  } finally {
    sampling = false;
    await sampler;
  }
  const cpuAfter = serverCpuMs(server.child.pid);
  const cores = cpu.end();
  await sleep(1000); // a second knock or a retry would arrive in this time
  const after = stub.counts();
  const allMs = done.lastNewInboxAt - started;
  return {
    inboxes,
    followers: s.followers,
    stubOrigins: s.origins,
    postAnsweredMs: Math.round(answeredMs),
    firstDeliveryMs: Math.round(done.firstAt - started),
    allDeliveredMs: Math.round(allMs),
    deliveriesPerSecond: perSecond(inboxes, allMs),
    // From the first delivery on: the rate of the deliveries themselves, without the send and fan-out jobs before them.
    deliveriesPerSecondAfterFirst: inboxes > 1 ? perSecond(inboxes - 1, done.lastNewInboxAt - done.firstAt) : null,
    stubRequests: after.requests,
    stubRequestsBySignature: { rfc9421: after.rfc9421, draftCavage: after.draftCavage, unsigned: after.unsigned },
    queue,
    serverCpuMsPerDelivery: cpuPer(cpuBefore, cpuAfter, inboxes),
    cores,
    target: { wanted: '>= 500 deliveries/s', met: perSecond(inboxes, allMs) >= 500 },
  };
}
