// bench/peers/node_client.js -- Node's `ws` (the Node user's choice) as a
// client, following bench/README.md.
//   node node_client.js URL rtt|mib|pipeline|connect SECONDS
'use strict';
const WebSocket = require('ws');
const [url, mode, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
const warm = Number(process.env.BENCH_WARMUP || 1);
const size = mode === 'rtt' ? 32 : mode === 'mib' ? 1048576 : 64;
const buf = Buffer.alloc(size);
for (let i = 0; i < size; i++) buf[i] = 97 + (i % 26);
const text = buf.toString();
const payload = mode === 'rtt' ? text : buf;
const warmEnd = performance.now() / 1000 + warm;
let measuring = false, finished = false, ops = 0, start = 0, cpuStart = null, deadline = 0;

function countOp() {
  if (finished) return true;
  const t = performance.now() / 1000;
  if (!measuring) {
    if (t >= warmEnd) { measuring = true; start = t; cpuStart = process.cpuUsage(); deadline = t + seconds; }
    return false;
  }
  ops++;
  if (t < deadline) return false;
  const cpu = process.cpuUsage(cpuStart);
  process.stdout.write(JSON.stringify({ ops, seconds: t - start, cpu_seconds: (cpu.user + cpu.system) / 1e6 }) + '\n');
  finished = true;
  return true;
}

function connect() {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  ws.on('open', () => {
    if (mode === 'connect') { ws.close(1000); return; }
    const n = mode === 'pipeline' ? 64 : 1;
    for (let i = 0; i < n; i++) ws.send(payload, { binary: mode !== 'rtt' });
  });
  ws.on('message', (data, isBinary) => {
    if (finished) return;
    if (data.length !== size || (mode === 'rtt' && data.toString() !== text)) {
      console.error(`node_client: bad echo of ${data.length} bytes`); process.exit(1);
    }
    if (countOp()) { ws.close(1000); return; }
    ws.send(payload, { binary: mode !== 'rtt' });
  });
  ws.on('close', () => {
    if (mode === 'connect' && !countOp()) connect();
    else if (finished) process.exit(0);
  });
  ws.on('error', (e) => { console.error('node_client:', e.message); process.exit(1); });
}
connect();
