import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { ClientInfo } from '../../app/identity/accounts';
import type { Config } from '../../infra/config';

/**
 * The client's address. Behind `hops` trusted proxies, each proxy appends the address it saw to
 * X-Forwarded-For, so the client is the `hops`-th entry from the right: anything to the left of it was
 * written by the client itself and can be anything. (Express's `trust proxy = <n>` takes the same
 * entry.) Fewer entries than hops: the leftmost one, the furthest any proxy saw. No header, or
 * TRUST_PROXY off: the socket's peer.
 */
export function clientAddress(
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
  proxyHops: number | false,
): string | undefined {
  if (proxyHops === false || !forwardedFor) return socketAddress;
  const entries = forwardedFor
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) return socketAddress;
  return entries[Math.max(0, entries.length - proxyHops)];
}

export function clientInfo(c: Context, cfg: Pick<Config, 'TRUST_PROXY' | 'TRUST_PROXY_HOPS'>): ClientInfo {
  let socketAddress: string | undefined;
  try {
    socketAddress = getConnInfo(c).remote.address;
  } catch {
    socketAddress = undefined; // in-process requests (tests) have no socket
  }
  const ip = clientAddress(
    c.req.header('x-forwarded-for'),
    socketAddress,
    cfg.TRUST_PROXY ? cfg.TRUST_PROXY_HOPS : false,
  );
  return { ip, userAgent: c.req.header('user-agent') };
}
