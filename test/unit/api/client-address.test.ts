import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../../src/api/middleware/client-info';

// Issue 9 #7: the client address behind proxies is the hop the outermost trusted proxy saw.

describe('client address', () => {
  it('issue 9 #7: takes the rightmost X-Forwarded-For entry behind one proxy, whatever the client wrote before it', () => {
    expect(clientAddress('203.0.113.9', '10.0.0.2', 1)).toBe('203.0.113.9');
    expect(clientAddress('1.2.3.4, 203.0.113.9', '10.0.0.2', 1)).toBe('203.0.113.9');
    expect(clientAddress('evil, 1.2.3.4 ,203.0.113.9', '10.0.0.2', 1)).toBe('203.0.113.9');
  });

  it('issue 9 #7: counts hops from the right, and falls back to the leftmost entry when there are fewer', () => {
    expect(clientAddress('1.2.3.4, 203.0.113.9, 198.51.100.7', '10.0.0.2', 2)).toBe('203.0.113.9');
    expect(clientAddress('203.0.113.9', '10.0.0.2', 2)).toBe('203.0.113.9');
  });

  it('uses the socket peer when proxies are not trusted or sent no header', () => {
    expect(clientAddress('1.2.3.4', '10.0.0.2', false)).toBe('10.0.0.2');
    expect(clientAddress(undefined, '10.0.0.2', 1)).toBe('10.0.0.2');
    expect(clientAddress(' , ', '10.0.0.2', 1)).toBe('10.0.0.2');
  });
});
