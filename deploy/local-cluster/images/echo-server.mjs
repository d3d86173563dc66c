// skiff/echo:1 - the sample app of skiff's tests, run as PID 1 by the pinned
// node binary. Plain JavaScript without dependencies: it is copied into the
// image as it is.
//
// HTTP on PORT (default 8080): every request gets 200 and the line
//   pod=<POD_NAME or hostname> path=<request path> client=<peer address>
// except /healthz (500 while UNHEALTHY_FILE, default /tmp/unhealthy, exists)
// and /ready (also 500 while READY_FILE is set and that file is missing).
// UDP on the same port number: every datagram gets "pod=<name> client=<peer>".
// Behaviour switches (environment):
//   CRASH_AFTER_SECONDS=N  exit after N seconds with EXIT_CODE (default 1)
//   EXIT_CODE=C            exit with C; alone, exit at once
//   HANG=1                 accept connections and datagrams but never answer
//   IGNORE_SIGTERM=1       ignore SIGTERM (otherwise exit 0 at once)
//   EAT_MEMORY_MB=N        allocate, touch and hold N MiB before serving
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const env = process.env;
const log = (msg) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

function intEnv(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) {
    log(`invalid ${name}="${raw}": expected a whole number; exiting`);
    process.exit(2);
  }
  return Number(raw);
}

const flag = (name) => env[name] === '1' || env[name] === 'true';
const port = intEnv('PORT', 8080);
const pod = env.POD_NAME || hostname();
const unhealthyFile = env.UNHEALTHY_FILE || '/tmp/unhealthy';
const readyFile = env.READY_FILE || '';
const hang = flag('HANG');
const exitCode = intEnv('EXIT_CODE', undefined);
const crashAfter = intEnv('CRASH_AFTER_SECONDS', exitCode === undefined ? undefined : 0);
const held = [];

function eatMemory(mb) {
  for (let i = 0; i < mb; i++) {
    // allocUnsafeSlow is outside the pool and fill touches every page, so RSS really grows.
    const chunk = Buffer.allocUnsafeSlow(1 << 20);
    chunk.fill((i % 255) + 1);
    held.push(chunk);
  }
  if (mb > 0) log(`holding ${mb} MiB`);
}

function statusFor(path) {
  if (path === '/healthz') return existsSync(unhealthyFile) ? 500 : 200;
  if (path === '/ready') {
    if (existsSync(unhealthyFile)) return 500;
    return readyFile !== '' && !existsSync(readyFile) ? 500 : 200;
  }
  return 200;
}

if (flag('IGNORE_SIGTERM')) {
  process.on('SIGTERM', () => log('SIGTERM ignored (IGNORE_SIGTERM=1)'));
} else {
  process.on('SIGTERM', () => {
    log('SIGTERM: exiting');
    process.exit(0);
  });
}
process.on('SIGINT', () => process.exit(0));

eatMemory(intEnv('EAT_MEMORY_MB', 0));

const http = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const client = req.socket.remoteAddress;
  log(`${req.method} ${req.url} from ${client}`);
  if (hang) return;
  const code = statusFor(path);
  res.writeHead(code, { 'content-type': 'text/plain', 'x-pod-name': pod });
  res.end(`pod=${pod} path=${path} client=${client}${code === 200 ? '' : ' status=' + code}\n`);
});
http.listen(port, '0.0.0.0', () => log(`skiff-echo listening pod=${pod} port=${port}`));

const udp = createSocket('udp4');
udp.on('message', (_msg, peer) => {
  if (!hang) udp.send(`pod=${pod} client=${peer.address}\n`, peer.port, peer.address);
});
udp.bind(port, '0.0.0.0');

if (crashAfter !== undefined) {
  setTimeout(() => {
    log(`crashing with exit code ${exitCode ?? 1}`);
    process.exit(exitCode ?? 1);
  }, crashAfter * 1000);
}
