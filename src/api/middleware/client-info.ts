import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { ClientInfo } from '../../app/identity/accounts';

export function clientInfo(c: Context, trustProxy: boolean): ClientInfo {
  let ip: string | undefined;
  if (trustProxy) ip = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  if (!ip) {
    try {
      ip = getConnInfo(c).remote.address;
    } catch {
      ip = undefined; // in-process requests (tests) have no socket
    }
  }
  return { ip, userAgent: c.req.header('user-agent') };
}
