// safeFetch against real HTTP servers on 127.0.0.1: loopback reached only when
// private addresses are allowed, redirects followed and each hop checked,
// bodies refused past their limit without being read to the end, a deadline
// for servers that never answer, and a reason code for every refusal.
import test, { type ExecutionContext } from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../helpers/databases.ts';
import { isPrivateAddress } from '../../../server/net/address-policy.ts';
import { RemoteFetchError, safeFetch, type RemoteFetchReason, type SafeFetchOptions } from '../../../server/net/safe-fetch.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real server on an ephemeral loopback port; `requests` lists the paths it was asked for. */
async function serve(t: ExecutionContext, handler: Handler) {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, port, requests };
}

const allowed: SafeFetchOptions = { allowPrivateAddresses: true, maxBytes: 1024 * 1024, timeoutMs: 5000 };

async function refusal(t: ExecutionContext, promise: Promise<unknown>, reason: RemoteFetchReason): Promise<RemoteFetchError> {
  const error = await t.throwsAsync(promise, { instanceOf: RemoteFetchError });
  t.is(error!.reason, reason, error!.message);
  return error!;
}

test('with private addresses allowed, a loopback server is fetched: status, headers, body, our User-Agent and Accept', async (t) => {
  const { base, requests } = await serve(t, (_req, res) => {
    res.setHeader('Content-Type', 'image/jpeg');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.end('jpeg bytes');
  });
  const response = await safeFetch(`${base}/photo.jpg?size=large`, { ...allowed, accept: 'image/*', userAgent: 'Viewfinder/test (+http://local.test)' });
  t.is(response.status, 200);
  t.is(response.url, `${base}/photo.jpg?size=large`);
  t.is(response.headers.get('content-type'), 'image/jpeg');
  t.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
  t.is(response.body.toString(), 'jpeg bytes');
  t.is(requests[0]!.url, '/photo.jpg?size=large');
  t.is(requests[0]!.headers['user-agent'], 'Viewfinder/test (+http://local.test)');
  t.is(requests[0]!.headers.accept, 'image/*');
  t.is(requests[0]!.headers['accept-encoding'], 'identity');
});

test('a host name is resolved and sent as Host, the connection going to the address checked', async (t) => {
  const { port, requests } = await serve(t, (_req, res) => res.end('ok'));
  // localhost may resolve to ::1 first; only 127.0.0.1 listens, so the pinned lookup must offer both.
  const response = await safeFetch(`http://localhost:${port}/`, allowed);
  t.is(response.body.toString(), 'ok');
  t.is(requests[0]!.headers.host, `localhost:${port}`);
});

test('with private addresses refused, loopback is refused before any connection, by literal address and by name', async (t) => {
  const { base, port, requests } = await serve(t, (_req, res) => res.end('secret'));
  const refused = { ...allowed, allowPrivateAddresses: false };
  for (const url of [`${base}/`, `http://localhost:${port}/`, `http://[::1]:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://2130706433:${port}/`, `http://0x7f.1:${port}/`]) {
    await refusal(t, safeFetch(url, refused), 'private-address');
  }
  t.is(requests.length, 0, 'nothing reached the server');
});

test('the address rule: private, loopback, link-local, CGNAT, multicast, reserved and their IPv6 spellings refused; public allowed', (t) => {
  const refused = [
    '0.0.0.0', '0.1.2.3', '10.0.0.1', '10.255.255.255', '100.64.0.1', '100.127.255.254', '127.0.0.1', '127.8.9.10', '169.254.169.254',
    '172.16.0.1', '172.31.255.255', '192.168.1.1', '192.0.2.2', '224.0.0.1', '239.255.255.250', '255.255.255.255',
    '::', '::1', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '[::1]',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '::127.0.0.1',
    '64:ff9b::10.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::1', '2002:c0a8:101::',
    'not an address', '',
  ];
  const open = ['8.8.8.8', '1.1.1.1', '100.128.0.1', '172.32.0.1', '172.15.255.255', '192.169.0.1', '169.255.0.1', '2606:4700:4700::1111', '2a00:1450::1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];
  for (const address of refused) t.true(isPrivateAddress(address), `${address} is refused`);
  for (const address of open) t.false(isPrivateAddress(address), `${address} is allowed`);
});

test('redirects are followed, relative ones too, and the final URL reported', async (t) => {
  const { base } = await serve(t, (req, res) => {
    if (req.url === '/a') res.writeHead(301, { Location: '/b' }).end();
    else if (req.url === '/b') res.writeHead(302, { Location: `${base}/c` }).end();
    else if (req.url === '/c') res.writeHead(307, { Location: 'd' }).end();
    else res.end(`at ${req.url}`);
  });
  const response = await safeFetch(`${base}/a`, allowed);
  t.is(response.body.toString(), 'at /d');
  t.is(response.url, `${base}/d`);
});

test('more redirects than allowed, a redirect without Location, and a redirect to another scheme are refused', async (t) => {
  const { base } = await serve(t, (req, res) => {
    const n = Number(req.url!.slice(1));
    if (req.url === '/nowhere') res.writeHead(302).end();
    else if (req.url === '/file') res.writeHead(302, { Location: 'file:///etc/passwd' }).end();
    else res.writeHead(302, { Location: `/${n + 1}` }).end();
  });
  const loop = await refusal(t, safeFetch(`${base}/0`, allowed), 'http-status');
  t.is(loop.url, `${base}/3`, 'three redirects followed, the fourth refused');
  t.is((await refusal(t, safeFetch(`${base}/0`, { ...allowed, maxRedirects: 0 }), 'http-status')).status, 302);
  await refusal(t, safeFetch(`${base}/nowhere`, allowed), 'http-status');
  await refusal(t, safeFetch(`${base}/file`, allowed), 'bad-url');
});

test('each redirect hop is checked: a "public" server redirecting to a private address is refused before connecting there', async (t) => {
  const inside = await serve(t, (_req, res) => res.end('metadata'));
  const insidePort = inside.port;
  const outside = await serve(t, (req, res) => {
    const targets: Record<string, string> = {
      '/to-loopback': `http://127.0.0.2:${insidePort}/`,
      '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
      '/to-mapped': `http://[::ffff:127.0.0.1]:${insidePort}/`,
      '/to-ten': 'http://10.0.0.1/',
    };
    res.writeHead(302, { Location: targets[req.url!]! }).end();
  });
  // 127.0.0.1 plays a public server here; every other address follows the real rule.
  const options: SafeFetchOptions = { ...allowed, allowPrivateAddresses: false, isAllowedAddress: (address) => address === '127.0.0.1' || !isPrivateAddress(address) };
  for (const path of ['/to-loopback', '/to-metadata', '/to-mapped', '/to-ten']) {
    const error = await refusal(t, safeFetch(`${outside.base}${path}`, options), 'private-address');
    t.not(error.url, `${outside.base}${path}`, 'the refused hop is the redirect target');
  }
  t.is(outside.requests.length, 4);
  t.is(inside.requests.length, 0, 'the private server was never reached');
});

test('a declared Content-Length over the limit is refused without reading the body', async (t) => {
  let finished = false;
  const { base } = await serve(t, (_req, res) => {
    res.writeHead(200, { 'Content-Length': String(50 * 1024 * 1024) });
    res.write(Buffer.alloc(64 * 1024));
    res.on('finish', () => (finished = true));
  });
  const error = await refusal(t, safeFetch(`${base}/big`, { ...allowed, maxBytes: 1024 * 1024 }), 'too-large');
  t.regex(error.message, /1048576 bytes/);
  t.false(finished);
});

test('a body without Content-Length is cut off once it passes the limit, and the server is not read to the end', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  let closedEarly: Promise<boolean> = Promise.resolve(false);
  const { base } = await serve(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'image/jpeg' }); // chunked
    closedEarly = new Promise((resolve) => res.on('close', () => resolve(written < 100 * chunk.length)));
    const pump = () => {
      while (written < 1000 && !res.destroyed) {
        written++;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await refusal(t, safeFetch(`${base}/stream`, { ...allowed, maxBytes: 300 * 1024 }), 'too-large');
  t.true(await closedEarly, 'the connection closed long before 64 MB were sent');
  // A body exactly at the limit is fine.
  const exact = await serve(t, (_req, res) => res.end(Buffer.alloc(1000, 7)));
  t.is((await safeFetch(`${exact.base}/`, { ...allowed, maxBytes: 1000 })).body.length, 1000);
});

test('a server that never answers, or trickles its body, runs into the deadline', async (t) => {
  const { base } = await serve(t, (req, res) => {
    if (req.url === '/silent') return; // headers never come
    res.writeHead(200);
    const timer = setInterval(() => res.write('.'), 50);
    res.on('close', () => clearInterval(timer));
  });
  for (const path of ['/silent', '/trickle']) {
    const started = Date.now();
    await refusal(t, safeFetch(`${base}${path}`, { ...allowed, timeoutMs: 300 }), 'timeout');
    const elapsed = Date.now() - started;
    t.true(elapsed >= 250 && elapsed < 3000, `${path} gave up after ${elapsed} ms`);
  }
});

test('an error status, a closed port and a malformed URL each have their reason', async (t) => {
  const { base } = await serve(t, (req, res) => {
    res.writeHead(req.url === '/gone' ? 410 : 503).end('nope');
  });
  t.is((await refusal(t, safeFetch(`${base}/gone`, allowed), 'http-status')).status, 410);
  t.is((await refusal(t, safeFetch(`${base}/busy`, allowed), 'http-status')).status, 503);

  // A port bound and released at once: nothing listens, the connection is refused.
  await refusal(t, safeFetch(`http://127.0.0.1:${await freePort()}/`, allowed), 'network');

  for (const url of ['not a url', 'ftp://example.com/a.jpg', 'file:///etc/passwd', 'data:image/png;base64,AAAA', 'javascript:alert(1)']) {
    await refusal(t, safeFetch(url, allowed), 'bad-url');
  }
});

test('the caller\'s signal stops a fetch', async (t) => {
  const { base } = await serve(t, () => {});
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  await refusal(t, safeFetch(`${base}/`, { ...allowed, signal: controller.signal }), 'network');
});

test('extra headers are sent, replace ours of the same name whatever their case, and a function of them is asked again for each hop', async (t) => {
  const { base, requests } = await serve(t, (req, res) => {
    if (req.url === '/from') res.writeHead(302, { Location: '/to?x=1' }).end();
    else res.end('ok');
  });
  await safeFetch(`${base}/plain`, { ...allowed, accept: 'image/*', headers: { ACCEPT: 'application/activity+json', Date: 'Tue, 07 Jun 2022 20:51:35 GMT', 'Accept-Encoding': 'gzip' } });
  t.is(requests[0]!.headers.accept, 'application/activity+json');
  t.is(requests[0]!.headers.date, 'Tue, 07 Jun 2022 20:51:35 GMT');
  t.is(requests[0]!.headers['accept-encoding'], 'identity', 'bodies stay uncompressed, so the size limit counts what we keep');
  t.is(requests[0]!.rawHeaders.filter((name) => name.toLowerCase() === 'accept').length, 1, 'one Accept, not ours and theirs');

  const asked: string[] = [];
  const response = await safeFetch(`${base}/from`, {
    ...allowed,
    headers: async (url) => {
      asked.push(url.href);
      return { Host: url.host, Signature: `for ${url.pathname}${url.search}` };
    },
  });
  t.is(response.body.toString(), 'ok');
  t.deepEqual(asked, [`${base}/from`, `${base}/to?x=1`]);
  t.is(requests[1]!.headers.signature, 'for /from');
  t.is(requests[2]!.headers.signature, 'for /to?x=1', 'the redirect target got a header made for it, not the first hop\'s');
  t.is(requests[2]!.headers.host, new URL(base).host);
});
