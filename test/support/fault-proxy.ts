import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// A TCP proxy that can make the service behind it refuse or hang, for the chaos suite. It knows no
// protocol, so it sits in front of S3, Stripe (HTTP) and SMTP alike:
//   pass   — bytes flow both ways;
//   refuse — every open connection is reset and new ones are reset on arrival (a service that is down);
//   hang   — connections stay open but no byte moves either way (a service that stopped answering);
//            new connections are accepted and wait. Back to pass, the held bytes flow again, so a
//            client that gave up meanwhile sees a late answer, as from a slow real service.

export type FaultMode = 'pass' | 'refuse' | 'hang';

interface Pair {
  client: Socket;
  upstream?: Socket;
}

export interface FaultProxy {
  readonly name: string;
  readonly port: number;
  /** host:port of the proxy. */
  readonly address: string;
  readonly mode: FaultMode;
  readonly stats: { connections: number; reset: number; held: number };
  setMode(mode: FaultMode): void;
  /** Puts the proxy in `mode` for `ms`, then back to pass. */
  fault(mode: Exclude<FaultMode, 'pass'>, ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(
  name: string,
  target: { host: string; port: number },
  listenPort = 0,
): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let mode: FaultMode = 'pass';
  const stats = { connections: 0, reset: 0, held: 0 };

  const reset = (pair: Pair) => {
    stats.reset++;
    pair.client.resetAndDestroy();
    pair.upstream?.resetAndDestroy();
    pairs.delete(pair);
  };

  const open = (pair: Pair) => {
    const upstream = connect({ host: target.host, port: target.port });
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    const end = () => {
      pair.client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    upstream.on('error', end);
    upstream.on('close', end);
    pair.client.on('close', end);
  };

  const server: Server = createServer((client) => {
    stats.connections++;
    client.setNoDelay(true);
    client.on('error', () => client.destroy());
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('close', () => {
      if (!pair.upstream) pairs.delete(pair);
    });
    if (mode === 'refuse') return reset(pair);
    if (mode === 'hang') {
      stats.held++;
      client.pause(); // connected upstream only when the hang ends
      return;
    }
    open(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  const proxy: FaultProxy = {
    name,
    port,
    address: `127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    stats,
    setMode(next) {
      if (next === mode) return;
      mode = next;
      for (const pair of [...pairs]) {
        if (next === 'refuse') reset(pair);
        else if (next === 'hang') {
          stats.held++;
          // Unpiped, so a drain on the other side cannot resume the flow.
          if (pair.upstream) {
            pair.client.unpipe(pair.upstream);
            pair.upstream.unpipe(pair.client);
            pair.upstream.pause();
          }
          pair.client.pause();
        } else if (pair.client.destroyed) pairs.delete(pair);
        else if (!pair.upstream) {
          pair.client.resume();
          open(pair);
        } else {
          pair.client.pipe(pair.upstream);
          pair.upstream.pipe(pair.client);
        }
      }
    },
    async fault(faultMode, ms) {
      proxy.setMode(faultMode);
      await sleep(ms);
      proxy.setMode('pass');
    },
    async close() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
