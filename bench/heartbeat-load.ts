import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { bodyOf, drive, driveAtRate, heartbeatOf, type Viewer } from './heartbeat-plan';

// The heartbeat benchmark's load generator, in a process of its own (as players are): argv[4]
// PATCH /api/sessions/{id}/metrics requests to the API at argv[2], for the viewers listed in the JSON
// file argv[3], over kept-alive connections. Closed loop (CONCURRENCY requests in flight, each sent
// when one answers: the most the stack sustains), or with argv[5] an open loop at that many requests
// a second (the latency players see at that rate). Prints one JSON line: its DriveResult.

const [base, viewersFile, totalArg, rateArg] = process.argv.slice(2);
const viewers = JSON.parse(await readFile(viewersFile!, 'utf8')) as Viewer[];
const total = Number(totalArg);
const url = new URL(base!);

// A lean HTTP/1.1 client: kept-alive sockets, one request at a time on each (no pipelining), bytes
// written as the player would send them and only the status line and Content-Length read back. The
// players are on other machines in production; here they share the API's two cores, so the less CPU
// this side burns the less it disturbs what is measured (node:http's client: 0.15 ms of CPU per
// request, 15 % of the machine at 2,000/s; this one 0.04–0.08 ms).
class Conn {
  dead = false;
  private buf = '';
  private pending?: { resolve(status: number): void; reject(err: Error): void };
  constructor(
    readonly socket: Socket,
    private readonly release: (c: Conn) => void,
  ) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }
  send(bytes: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(bytes, 'latin1');
    });
  }
  private onData(chunk: string): void {
    this.buf += chunk;
    const head = this.buf.indexOf('\r\n\r\n');
    if (head < 0) return;
    const m = /\r\ncontent-length: *(\d+)/i.exec(this.buf.slice(0, head));
    if (!m) return this.fail(new Error('response without Content-Length'));
    const end = head + 4 + Number(m[1]);
    if (this.buf.length < end) return;
    const status = Number(this.buf.slice(9, 12));
    this.buf = this.buf.slice(end);
    const p = this.pending;
    this.pending = undefined;
    this.release(this);
    p?.resolve(status);
  }
  private fail(err: Error): void {
    const p = this.pending;
    this.pending = undefined;
    this.dead = true;
    p?.reject(err);
  }
}

const idle: Conn[] = [];
const all = new Set<Conn>();
const release = (c: Conn) => {
  if (!c.dead) idle.push(c);
};
async function connection(): Promise<Conn> {
  for (let c = idle.pop(); c; c = idle.pop()) if (!c.dead) return c;
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  const c = new Conn(socket, release);
  all.add(c);
  return c;
}

async function patch(path: string, token: string, body: string): Promise<number> {
  const c = await connection();
  return c.send(
    `PATCH ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nAuthorization: Bearer ${token}\r\n\r\n${body}`,
  );
}

const send = async (i: number) => {
  const h = heartbeatOf(i);
  const v = viewers[h.session]!;
  const status = await patch(`/api/sessions/${v.sessionId}/metrics`, v.token, JSON.stringify(bodyOf(h)));
  if (status !== 200) throw new Error(`status ${status}`);
};
// Open loop: the first second is left out of the percentiles (a player's connection is already open).
const result = rateArg
  ? await driveAtRate(total, Number(rateArg), send, Number(rateArg))
  : await drive(total, send);
for (const c of all) c.socket.destroy();
process.stdout.write(`${JSON.stringify(result)}\n`);
