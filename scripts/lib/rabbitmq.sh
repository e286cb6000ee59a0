#!/usr/bin/env bash
# Installs RabbitMQ (Debian's rabbitmq-server, with its rabbitmq_amqp1_0 plugin) for the Service Bus trigger's tests,
# which start their own broker on free ports. Idempotent: nothing happens when the server is already there, and the
# package lists are refreshed only when the package is not yet known to apt (a fresh machine), since an update is slow.
# Sourced by scripts/test (ensure_rabbitmq) or run on its own.

ensure_rabbitmq() {
  if [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
    return 0
  fi
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  if ! apt-cache show rabbitmq-server >/dev/null 2>&1; then
    $sudo apt-get update -qq
  fi
  # The package would start a broker through the init system; none runs here, and the tests start their own.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
  # The Debian postinst may have started a system epmd/broker where an init system exists; the tests never use it.
  if [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
    echo "rabbitmq-server installed but /usr/lib/rabbitmq/bin/rabbitmq-server is missing" >&2
    return 1
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ensure_rabbitmq
fi
