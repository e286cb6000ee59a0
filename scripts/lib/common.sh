# Shared helpers for scripts/test, scripts/dev and bench/run. Sourced, not executed.

step() { printf '\n==> %s\n' "$*"; }

# npm packages (Azurite, @parse/node-apn) pinned in package.json / package-lock.json.
ensure_node_packages() {
  if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "installing npm packages (azurite, @parse/node-apn)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Reads the TRX files of a test run and prints "N passed, N failed" (the closing line CI reads).
summarise_trx() {
  python3 - "$1" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/*.trx")
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
print()
print(f"test projects: {len(files)}")
line = f"{passed} passed, {failed} failed"
if skipped: line += f", {skipped} skipped"
print(line)
sys.exit(0 if failed == 0 and passed > 0 and skipped == 0 else 1)
PY
}

# .local/ holds the key-encryption key, the conversation-hash key, dev.env (both in clear), Azurite's
# data (wrapped device keys, encrypted provider tokens) and the sandbox's private keys: owner only.
# Sets umask 077 for the calling script, so whatever it and its children (Azurite, the sandbox) create
# from here on is 0600 / 0700, and takes back what an older run left readable. .local/device-keys is
# the CLI's own (scripts/push runs it under umask 077 too).
secure_local_dir() {
  local dir=$1 name
  umask 077
  mkdir -p "$dir/azurite" "$dir/sandbox" "$dir/logs"
  chmod 700 "$dir"
  for name in azurite sandbox logs; do chmod -R go-rwx "$dir/$name"; done
  for name in kek conversation-hash-key dev.env; do
    if [ -e "$dir/$name" ]; then chmod 600 "$dir/$name"; fi
  done
}

# Writes .local/dev.env: the relay's configuration for local development, as environment
# variables with the .NET "__" convention. Generated values (the key-encryption key, the
# conversation-hash key) are created once and kept, so registered devices stay readable.
write_dev_env() {
  local dir=$1 sandbox=$1/sandbox
  secure_local_dir "$dir"
  [ -f "$dir/kek" ] || head -c 32 /dev/urandom | base64 > "$dir/kek"
  [ -f "$dir/conversation-hash-key" ] || head -c 32 /dev/urandom | base64 > "$dir/conversation-hash-key"
  python3 - "$sandbox/sandbox.json" "$dir" > "$dir/dev.env" <<'PY'
import json, sys
info = json.load(open(sys.argv[1])); d = sys.argv[2]
c = info["credentials"] if "credentials" in info else info
def get(*names):
    for n in names:
        for src in (info, c):
            if n in src and src[n]: return src[n]
    raise SystemExit(f"sandbox.json lacks {names[0]}")
print("AzureWebJobsStorage=UseDevelopmentStorage=true")
print(f"Apns__Endpoint={get('apnsEndpoint')}")
print(f"Apns__TeamId={get('teamId')}")
print(f"Apns__KeyId={get('keyId')}")
print(f"Apns__PrivateKeyPath={get('apnsKeyPath')}")
print(f"Fcm__Endpoint={get('fcmEndpoint')}")
print(f"Fcm__ServiceAccountPath={get('serviceAccountPath')}")
print(f"Registry__KeyEncryptionKey={open(d + '/kek').read().strip()}")
print("Registry__KeyEncryptionKeyId=dev")
print(f"Routing__ConversationHashKey={open(d + '/conversation-hash-key').read().strip()}")
print(f"SSL_CERT_FILE={get('trustBundlePath')}")
print("DOTNET_ENVIRONMENT=Development")
PY
}
