// Binds a koa app to a port and gives back a close() that shuts down promptly.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface Listening {
  /** Where this process can reach itself (loopback for wildcard binds), e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then drops their keep-alive connections. */
  close(): Promise<void>;
}

export async function listen(app: Koa, options: { port: number; host: string }): Promise<Listening> {
  const server = createServer();
  let closing = false;
  // server.close() waits for every open connection. Idle keep-alive sockets are
  // dropped right away below; a socket busy when close() was called would
  // otherwise stay open until the client's keep-alive timer, so it is dropped
  // as soon as its response is done.
  server.on('request', (_request, response) => {
    if (closing) response.setHeader('Connection', 'close');
    response.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.on('request', app.callback());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(options.host)}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
