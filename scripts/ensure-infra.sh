#!/usr/bin/env bash
# Start this machine's PostgreSQL and RabbitMQ when they are down (make dev, make test, CI).
# Does nothing when TEST_DATABASE_URL / TEST_AMQP_URL point elsewhere or the servers already answer.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  echo "ensure-infra: $2 did not come up on port $1" >&2
  return 1
}

if [ -z "${TEST_DATABASE_URL:-}" ] && ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "ensure-infra: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    wait_port 5432 PostgreSQL
  else
    echo "ensure-infra: PostgreSQL is not running and not installed here; tests will try testcontainers" >&2
  fi
fi

if [ -z "${TEST_AMQP_URL:-}" ] && ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "ensure-infra: starting RabbitMQ"
    rabbitmq-server -detached || true
    wait_port 5672 RabbitMQ
  else
    echo "ensure-infra: RabbitMQ is not running and not installed here; tests will try testcontainers" >&2
  fi
fi
