import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyChild } from '../../../src/infra/logger';

// lazyChild: a request's child logger costs nothing until something logs through it.
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

describe('lazyChild', () => {
  it('builds the child on first use, once, with its bindings, and nests', async () => {
    const { log, lines } = capture();
    // Children inherit child() from their parent, so count only the calls made on the root.
    let children = 0;
    const protoChild = log.child;
    log.child = function (this: typeof log, ...args: Parameters<typeof log.child>) {
      if (this === log) children++;
      return protoChild.apply(this, args);
    } as typeof log.child;
    const req = lazyChild(log, { requestId: 'r1' });
    const user = lazyChild(req, { userId: 'u1' });
    expect(children).toBe(0);
    user.info({ n: 1 }, 'first');
    user.warn('second');
    req.debug('third');
    expect(children).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.msg, l.requestId, l.userId, l.level])).toEqual([
      ['first', 'r1', 'u1', 30],
      ['second', 'r1', 'u1', 40],
      ['third', 'r1', undefined, 20],
    ]);
    expect(lines[0]!.n).toBe(1);
    expect(user.level).toBe('debug');
    expect(user.isLevelEnabled('trace')).toBe(false);
  });
});
