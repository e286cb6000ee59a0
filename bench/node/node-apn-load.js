// @parse/node-apn as a load peer: one Provider (one HTTP/2 connection, token auth, the sandbox's CA),
// `concurrency` sends in flight, `requests` notifications timed after `warmup` untimed ones.
// Usage: node node-apn-load.js '<json: {keyPath, keyId, teamId, port, caPath, deviceToken, topic, bodyPath, requests, warmup, concurrency}>'
// Prints one JSON line: {"sent", "failed", "firstFailure", "seconds", "p50Ms", "p99Ms"}.
'use strict';
const fs = require('fs');
const path = require('path');
const apn = require(path.join(process.env.REPO_ROOT || process.cwd(), 'node_modules', '@parse', 'node-apn'));

async function run(provider, note, token, count, concurrency, latencies) {
  let next = 0;
  let sent = 0;
  let failed = 0;
  let firstFailure = null;
  async function worker() {
    while (next < count) {
      next++;
      const t0 = process.hrtime.bigint();
      const result = await provider.send(note, token);
      if (latencies) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      sent += result.sent.length;
      if (result.failed.length > 0) {
        failed += result.failed.length;
        const f = result.failed[0];
        firstFailure = firstFailure || { status: f.status === undefined ? null : Number(f.status), reason: f.response ? f.response.reason : String(f.error && (f.error.message || f.error)) };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { sent, failed, firstFailure };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function main() {
  const o = JSON.parse(process.argv[2]);
  const provider = new apn.Provider({
    token: { key: o.keyPath, keyId: o.keyId, teamId: o.teamId },
    production: false,
    address: '127.0.0.1',
    port: o.port,
    ca: fs.readFileSync(o.caPath, 'utf8'),
    rejectUnauthorized: true,
    requestTimeout: 30000,
  });
  const note = new apn.Notification();
  note.topic = o.topic;
  note.pushType = 'alert';
  note.priority = 10;
  note.expiry = 0;
  // node-apn serialises rawPayload with JSON.stringify: an object gives back the same compact bytes.
  note.rawPayload = JSON.parse(fs.readFileSync(o.bodyPath, 'utf8'));
  try {
    if (o.warmup > 0) await run(provider, note, o.deviceToken, o.warmup, o.concurrency, null);
    const latencies = [];
    const t0 = process.hrtime.bigint();
    const r = await run(provider, note, o.deviceToken, o.requests, o.concurrency, latencies);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    latencies.sort((a, b) => a - b);
    console.log(JSON.stringify({ sent: r.sent, failed: r.failed, firstFailure: r.firstFailure, seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) }));
  } finally {
    await provider.shutdown();
  }
}

main().catch(err => {
  console.log(JSON.stringify({ sent: 0, failed: 0, firstFailure: { status: null, reason: 'exception: ' + err.message }, seconds: 0 }));
  process.exitCode = 1;
});
