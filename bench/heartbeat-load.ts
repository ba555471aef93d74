import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { bodyOf, CONCURRENCY, drive, driveAtRate, heartbeatOf, type Viewer } from './heartbeat-plan';

// The heartbeat benchmark's load generator, in a process of its own (as players are): argv[4]
// PATCH /api/sessions/{id}/metrics requests to the API at argv[2], for the viewers listed in the JSON
// file argv[3], over kept-alive connections. Closed loop (CONCURRENCY requests in flight, each sent
// when one answers: the most the stack sustains), or with argv[5] an open loop at that many requests
// a second (the latency players see at that rate). Prints one JSON line: its DriveResult.

const [base, viewersFile, totalArg, rateArg] = process.argv.slice(2);
const viewers = JSON.parse(await readFile(viewersFile!, 'utf8')) as Viewer[];
const total = Number(totalArg);
const url = new URL(base!);
const agent = new Agent({ keepAlive: true, maxSockets: rateArg ? 1024 : CONCURRENCY });

function patch(path: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'PATCH',
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
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
agent.destroy();
process.stdout.write(`${JSON.stringify(result)}\n`);
