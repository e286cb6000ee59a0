// A peer we did not write: @parse/node-apn sends one notification to the sandbox with token auth,
// validating the sandbox's certificate against the CA it is given (rejectUnauthorized stays true).
// Usage: node node-apn-peer.js '<json: {keyPath, keyId, teamId, port, caPath, deviceToken, topic}>'
// Prints one JSON line: {"sent": n, "failed": [{status, reason}]}.
'use strict';
const fs = require('fs');
const path = require('path');
const apn = require(path.join(process.env.REPO_ROOT || process.cwd(), 'node_modules', '@parse', 'node-apn'));

async function main() {
  const options = JSON.parse(process.argv[2]);
  const provider = new apn.Provider({
    token: { key: options.keyPath, keyId: options.keyId, teamId: options.teamId },
    production: false,
    address: '127.0.0.1',
    port: options.port,
    ca: fs.readFileSync(options.caPath, 'utf8'),
    rejectUnauthorized: true,
  });
  const note = new apn.Notification();
  note.topic = options.topic;
  note.pushType = 'alert';
  note.priority = 10;
  note.alert = 'hello from node-apn';
  note.payload = { trackingId: options.trackingId };
  try {
    const result = await provider.send(note, options.deviceToken);
    const failed = result.failed.map(f => ({
      status: f.status === undefined ? null : Number(f.status),
      reason: f.response ? f.response.reason : (f.error ? String(f.error.message || f.error) : null),
    }));
    console.log(JSON.stringify({ sent: result.sent.length, failed }));
  } finally {
    await provider.shutdown();
  }
}

main().catch(err => {
  console.log(JSON.stringify({ sent: 0, failed: [{ status: null, reason: 'exception: ' + err.message }] }));
  process.exitCode = 1;
});
