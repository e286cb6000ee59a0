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

# .local/ holds the key-encryption key, the conversation-hash key, local.settings.json (both in clear), Azurite's
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
  for name in kek conversation-hash-key local.settings.json; do
    if [ -e "$dir/$name" ]; then chmod 600 "$dir/$name"; fi
  done
  # Older runs wrote the same settings to dev.env; local.settings.json replaces it.
  rm -f "$dir/dev.env"
}

# Waits until the log of process PID has a line with TEXT; stops the script if the process ends or
# SECONDS pass first, printing the log.
wait_for_line() {
  local pid=$1 file=$2 text=$3 seconds=$4 name=$5
  for _ in $(seq 1 $((seconds * 4))); do
    grep -q "$text" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  echo "$name did not start (no \"$text\" within ${seconds}s); its log, $file:" >&2
  cat "$file" >&2 || true
  exit 1
}

# A connection string for Azurite on other ports than its standard ones (the account and key are
# Azurite's documented development ones, not a secret).
azurite_connection_string() {
  local account=devstoreaccount1
  local key=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
  printf 'DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=http://127.0.0.1:%s/%s;QueueEndpoint=http://127.0.0.1:%s/%s;TableEndpoint=http://127.0.0.1:%s/%s' \
    "$account" "$key" "$1" "$account" "$2" "$account" "$3" "$account"
}

# Writes .local/local.settings.json: the app settings for local development in the Core Tools format
# ({"IsEncrypted": false, "Values": {...}}), which the local Functions host (and `func start`) hands
# to the worker, and scripts/push reads. Generated values (the key-encryption key, the conversation-
# hash key) are created once and kept, so registered devices stay readable. STORAGE (optional) is the
# AzureWebJobsStorage value; UseDevelopmentStorage=true by default.
write_local_settings() {
  local dir=$1 sandbox=$1/sandbox storage=${2:-UseDevelopmentStorage=true}
  secure_local_dir "$dir"
  [ -f "$dir/kek" ] || head -c 32 /dev/urandom | base64 > "$dir/kek"
  [ -f "$dir/conversation-hash-key" ] || head -c 32 /dev/urandom | base64 > "$dir/conversation-hash-key"
  python3 - "$sandbox/sandbox.json" "$dir" "$storage" > "$dir/local.settings.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1])); d = sys.argv[2]
c = info["credentials"] if "credentials" in info else info
def get(*names):
    for n in names:
        for src in (info, c):
            if n in src and src[n]: return src[n]
    raise SystemExit(f"sandbox.json lacks {names[0]}")
values = {
    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
    "AzureWebJobsStorage": sys.argv[3],
    # The settings the trigger attributes name (%Queues:Calls%, %Timers:...%): the host resolves them from here.
    "Queues__Calls": "push-calls",
    "Queues__Messages": "push-messages",
    "Queues__Devices": "push-devices",
    "Timers__RefreshProviderTokens": "0 */5 * * * *",
    "Timers__ProcessDeadLetters": "0 */5 * * * *",
    "Timers__RewrapDeviceKeys": "0 40 * * * *",
    "Apns__Endpoint": get("apnsEndpoint"),
    "Apns__TeamId": get("teamId"),
    "Apns__KeyId": get("keyId"),
    "Apns__PrivateKeyPath": get("apnsKeyPath"),
    "Fcm__Endpoint": get("fcmEndpoint"),
    "Fcm__ServiceAccountPath": get("serviceAccountPath"),
    "Registry__KeyEncryptionKey": open(d + "/kek").read().strip(),
    "Registry__KeyEncryptionKeyId": "dev",
    "Routing__ConversationHashKey": open(d + "/conversation-hash-key").read().strip(),
    "SSL_CERT_FILE": get("trustBundlePath"),
    "DOTNET_ENVIRONMENT": "Development",
}
json.dump({"IsEncrypted": False, "Values": values}, sys.stdout, indent=2)
print()
PY
}

# Exports the Values of a local.settings.json into the calling shell (scripts/push; scripts/dev for
# SSL_CERT_FILE, which an environment variable of this machine would otherwise win over).
export_local_settings() {
  eval "$(python3 - "$1" <<'PY'
import json, shlex, sys
for name, value in json.load(open(sys.argv[1]))["Values"].items():
    if name.replace("_", "").isalnum():
        print(f"export {name}={shlex.quote(str(value))}")
PY
)"
}
