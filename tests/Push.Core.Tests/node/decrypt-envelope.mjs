// Opens a relay push the way docs/ENVELOPE.md tells the app teams to, written from that page alone.
// stdin: {"key": "<standard base64, 32 bytes>", "deviceId": "...", "apnsPayload": {...} | "<json text>"}
//    or: {"key": ..., "deviceId": ..., "fcmData": {"version": "1", ...}}
// stdout: the decrypted plaintext JSON. Exit 1 when the push does not authenticate, 2 on bad input.
import crypto from 'node:crypto';

function fail(code, message) {
  process.stderr.write(message + '\n');
  process.exit(code);
}

function fromBase64Url(text, name) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) fail(2, `${name} must be base64url without padding`);
  return Buffer.from(text, 'base64url');
}

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;

let request;
try {
  request = JSON.parse(input);
} catch {
  fail(2, 'stdin is not JSON');
}

const key = Buffer.from(request.key ?? '', 'base64');
if (key.length !== 32) fail(2, 'key must be 32 bytes');
if (typeof request.deviceId !== 'string' || request.deviceId.length === 0) fail(2, 'deviceId is required');

let envelope;
if (request.apnsPayload !== undefined) {
  const body = typeof request.apnsPayload === 'string' ? JSON.parse(request.apnsPayload) : request.apnsPayload;
  envelope = body.enc;
  if (envelope === null || typeof envelope !== 'object') fail(2, 'APNs payload has no enc object');
  if (envelope.version !== 1) fail(2, 'unknown envelope version');
} else if (request.fcmData !== undefined) {
  envelope = request.fcmData;
  if (envelope.version !== '1') fail(2, 'unknown envelope version');
} else {
  fail(2, 'apnsPayload or fcmData is required');
}

for (const name of ['type', 'trackingId', 'keyId', 'nonce', 'ciphertext']) {
  if (typeof envelope[name] !== 'string') fail(2, `${name} must be a string`);
}

const nonce = fromBase64Url(envelope.nonce, 'nonce');
const sealed = fromBase64Url(envelope.ciphertext, 'ciphertext');
if (nonce.length !== 12 || sealed.length < 16) fail(2, 'nonce must be 12 bytes and ciphertext at least 16');

const aad = Buffer.from(`push-relay/v1\n${envelope.type}\n${envelope.trackingId}\n${request.deviceId}`, 'utf8');
const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
decipher.setAAD(aad);
decipher.setAuthTag(sealed.subarray(sealed.length - 16));
let plaintext;
try {
  plaintext = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
} catch {
  fail(1, 'authentication failed');
}
process.stdout.write(plaintext.toString('utf8'));
