#!/usr/bin/env node
// Node `ws` test server for the polyws integration tests.
//
//   node tests/peers/node_server.js --port 0 [--host 127.0.0.1|::1]
//
// Prints exactly one line `PORT <n>` on stdout once listening, then serves
// until killed or until its stdin closes. After that line it prints one JSON
// line per finished WebSocket connection, so a test can check what the
// client sent on the wire:
//   {"event":"conn","path":"/echo","close_code":1000,"close_reason":"bye",
//    "messages":[{"type":"text","size":5}],"pong":null,"pings":0}
// pings: how many pings the client sent (ws answered each).
// close_code is what `ws` reports: 1005 for an empty close frame, 1006 when
// the TCP connection ended without a close frame.
//
// The behaviour is chosen by the request path (see README.md beside this file).
'use strict';

const http = require('http');
const { URL } = require('url');
const { WebSocketServer } = require('ws');

const MAX_PAYLOAD = 64 * 1024 * 1024;
const SUPPORTED_PROTOCOLS = ['chat', 'superchat', 'v2.json'];
const HOLD_MS = 60000; // longest time a held (slow-handshake) socket is kept

function parseArgs(argv) {
  let port = 0;
  let host = '127.0.0.1';
  let deflate = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port' && i + 1 < argv.length) port = Number(argv[++i]);
    else if (argv[i] === '--host' && i + 1 < argv.length) host = argv[++i];
    else if (argv[i] === '--deflate') deflate = true;
    else if (argv[i].startsWith('--port=')) port = Number(argv[i].slice(7));
    else {
      process.stderr.write(`unknown argument: ${argv[i]}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('bad --port\n');
    process.exit(2);
  }
  return { port, host, deflate };
}

function report(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function pattern(size, type) {
  const buf = Buffer.allocUnsafe(size);
  if (type === 'binary') {
    for (let i = 0; i < size; i++) buf[i] = i % 256;
    return buf;
  }
  // ASCII letters and digits, repeating.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < size; i++) buf[i] = alphabet.charCodeAt(i % alphabet.length);
  return buf.toString('latin1');
}

function intParam(params, name, dflt) {
  const v = params.get(name);
  if (v === null || v === '') return dflt;
  const n = Number(v);
  return Number.isInteger(n) ? n : dflt;
}

const { port, host, deflate } = parseArgs(process.argv.slice(2));
const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end('WebSocket only\n');
});
const held = new Set();

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: MAX_PAYLOAD,
  // --deflate: accept permessage-deflate and compress every message.
  perMessageDeflate: deflate ? { threshold: 0 } : false,
  handleProtocols(protocols, req) {
    const path = new URL(req.url, 'ws://x').pathname;
    if (path === '/subprotocol') {
      for (const p of protocols) if (SUPPORTED_PROTOCOLS.includes(p)) return p;
      return false;
    }
    return false; // other paths never select a subprotocol
  },
});

wss.on('headers', (headers, req) => {
  const path = new URL(req.url, 'ws://x').pathname;
  if (path === '/subprotocol-bogus') headers.push('Sec-WebSocket-Protocol: bogus');
});

server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'ws://x');
  socket.on('error', () => {});
  switch (url.pathname) {
    case '/status': {
      const code = intParam(url.searchParams, 'code', 403);
      socket.end(
        `HTTP/1.1 ${code} ${http.STATUS_CODES[code] || 'Status'}\r\n` +
          'Connection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    case '/redirect': {
      const addr = server.address();
      socket.end(
        'HTTP/1.1 302 Found\r\n' +
          `Location: ws://127.0.0.1:${addr.port}/echo\r\n` +
          'Connection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    case '/slow-handshake': {
      // Accept the TCP connection, hold the request, never answer.
      held.add(socket);
      const t = setTimeout(() => socket.destroy(), HOLD_MS);
      socket.on('close', () => {
        clearTimeout(t);
        held.delete(socket);
      });
      return;
    }
    default:
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, url));
  }
});

function onConnection(ws, req, url) {
  const path = url.pathname;
  const params = url.searchParams;
  const info = { event: 'conn', path, close_code: null, close_reason: null, messages: [], pong: null };
  let echoed = 0;
  let pings = 0;   // pings from the client (each answered by ws)

  ws.on('error', () => {});
  ws.on('close', (code, reason) => {
    info.pings = pings;
    info.close_code = code;
    info.close_reason = reason.toString();
    report(info);
  });
  ws.on('ping', () => {
    // /count-pings?n=N: tell the client once N pings have arrived (ws has
    // already answered each with a pong).
    pings++;
    if (path === '/count-pings' && pings === intParam(params, 'n', 1) && ws.readyState === ws.OPEN)
      ws.send('pings:' + pings);
  });
  ws.on('pong', (data) => {
    info.pong = data.toString();
    if (path === '/ping' && ws.readyState === ws.OPEN) ws.send('pong:' + data.toString());
  });

  const echo = (data, isBinary) => {
    if (ws.readyState === ws.OPEN) ws.send(data, { binary: isBinary });
  };
  ws.on('message', (data, isBinary) => {
    info.messages.push({ type: isBinary ? 'binary' : 'text', size: data.length });
    switch (path) {
      case '/close':
      case '/send':
      case '/ping':
      case '/fragmented':
      case '/headers':
      case '/count-pings':
      case '/pong-unsolicited':
      case '/drop-after-open':
      case '/drop-mid-message':
      case '/flood':
        return; // these paths do not echo
      case '/flood-status':
        ws.send(JSON.stringify(floodState));
        return;
      case '/close-after-echo':
        if (echoed++ === 0) {
          echo(data, isBinary);
          closeWith(ws, params);
        }
        return;
      default:
        echo(data, isBinary);
    }
  });

  switch (path) {
    case '/close':
      closeWith(ws, params);
      break;
    case '/ping':
      ws.ping(params.get('payload') || '');
      break;
    case '/fragmented': {
      ws.send('Hello, ', { fin: false });
      ws.send('fragmented ', { fin: false });
      ws.send('world!', { fin: true });
      const bin = pattern(100000, 'binary');
      const step = 30000;
      for (let off = 0; off < bin.length; off += step) {
        const end = Math.min(off + step, bin.length);
        ws.send(bin.subarray(off, end), { binary: true, fin: end === bin.length });
      }
      break;
    }
    case '/send': {
      const count = Math.max(0, Math.min(intParam(params, 'count', 1), 100000));
      const size = Math.max(0, Math.min(intParam(params, 'size', 0), MAX_PAYLOAD));
      const type = params.get('type') === 'binary' ? 'binary' : 'text';
      const data = pattern(size, type);
      for (let i = 0; i < count; i++) ws.send(data, { binary: type === 'binary' });
      ws.close(1000, 'done');
      break;
    }
    case '/drop-after-open': {
      // No close frame: FIN (default) or RST (?mode=rst).
      const sock = ws._socket;
      if (params.get('mode') === 'rst' && typeof sock.resetAndDestroy === 'function') {
        sock.resetAndDestroy();
      } else {
        sock.end();
        setTimeout(() => sock.destroy(), 2000).unref();
      }
      break;
    }
    case '/drop-mid-message': {
      // Header of a 1 MiB binary frame, half its payload, then the end.
      const sock = ws._socket;
      const len = 1024 * 1024;
      const header = Buffer.alloc(10);
      header[0] = 0x82;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(len), 2);
      sock.write(header);
      sock.write(Buffer.alloc(len / 2, 0x61), () => {
        sock.end();
        setTimeout(() => sock.destroy(), 2000).unref();
      });
      break;
    }
    case '/headers':
      ws.send(JSON.stringify(req.headers));
      break;
    case '/flood':
      flood(ws, params);
      break;
    case '/pong-unsolicited':
      // Unsolicited pongs with payload, then a message: the lws 4.1.6
      // client loops forever on this when deflate is active.
      for (let i = 0; i < 3; i++) ws.pong('unsolicited-' + i);
      ws.send('after pongs');
      break;
    default:
      break; // echo
  }
}

// /flood?count=N&size=S: N binary messages of S bytes (S >= 4), message i
// starting with i as a 32-bit big-endian number, written as fast as TCP
// takes them: whenever the socket's own buffer holds 256 KiB the server
// waits for 'drain' (a stall: the client is not reading and the kernel's
// buffers are full). Then a ping "flood-ping"; once its pong is back, the
// text {"sent":N,"stalls":K,"pong":"flood-ping"} and close 1000 "done".
// /flood-status answers any message with the latest flood's state.
let floodState = { sent: 0, count: 0, stalled: false, stalls: 0, done: false };
function flood(ws, params) {
  const count = Math.max(0, Math.min(intParam(params, 'count', 100), 1000000));
  const size = Math.max(4, Math.min(intParam(params, 'size', 65536), MAX_PAYLOAD));
  const state = { sent: 0, count, stalled: false, stalls: 0, done: false };
  floodState = state;
  const sock = ws._socket;
  const body = pattern(size, 'binary');
  const writeMore = () => {
    state.stalled = false;
    while (state.sent < count && ws.readyState === ws.OPEN) {
      if (sock.writableLength >= 256 * 1024) {
        state.stalled = true;
        state.stalls++;
        sock.once('drain', writeMore);
        return;
      }
      const msg = Buffer.from(body);
      msg.writeUInt32BE(state.sent, 0);
      ws.send(msg, { binary: true });
      state.sent++;
    }
    if (ws.readyState !== ws.OPEN) return;
    ws.once('pong', (data) => {
      state.done = true;
      ws.send(JSON.stringify({ sent: state.sent, stalls: state.stalls, pong: data.toString() }));
      ws.close(1000, 'done');
    });
    ws.ping('flood-ping');
  };
  writeMore();
}

function closeWith(ws, params) {
  const codeStr = params.get('code');
  const reason = params.get('reason') || '';
  if (codeStr === null || codeStr === '') ws.close();
  else ws.close(Number(codeStr), reason);
}

server.listen(port, host, () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});

function shutdown(why) {
  if (typeof why === 'string') process.stderr.write(`node_server: stopping (${why})\n`);
  for (const s of held) s.destroy();
  for (const c of wss.clients) c.terminate();
  server.close();
  process.exit(0);
}
// Stop when stdin closes, but only when stdin is a pipe (a test harness's):
// /dev/null or a closed descriptor would end the server at once.
let stdinIsPipe = false;
try {
  stdinIsPipe = require('fs').fstatSync(0).isFIFO();
} catch (e) {
  stdinIsPipe = false;
}
if (stdinIsPipe) {
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
