"""`make stack`: the production stack on this machine; Ctrl-C stops all of it."""

import signal
import sys
import time

from kabinet.messaging.tests.smsru_server import SmsRuServer, SmsRuState

from .cluster import GATEWAY_PORT, SMS_API_ID, Stack, ports_in_use


def main() -> None:
    busy = ports_in_use()
    if busy:
        sys.exit(f"ports in use: {busy} (another `make stack` or `make stack-test` running?)")
    stack = Stack(quiet=False)
    gateway = SmsRuServer(SmsRuState(api_id=SMS_API_ID), port=GATEWAY_PORT)
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        stack.start()
        ready = stack.ready()
        print()
        print(f"Kabinet (DEBUG=0, HTTPS, self-signed certificate): {stack.url}/")
        print(f"  back-office: {stack.url}/admin/   readiness: {stack.url}/readyz -> {ready['status']}")
        print(f"  metrics: http://127.0.0.1:{stack.node_ports[0]}/metrics   logs: {stack.logs}/")
        print(f"  SMS go to a local SMS.ru on port {GATEWAY_PORT}; PostgreSQL 5442, Redis 6389.")
        print("  Ctrl-C stops everything.")
        sys.stdout.flush()
        while not stopping:
            dead = [name for name, p in stack.processes.items() if p.poll() is not None]
            if dead:
                print(f"stopped by itself: {', '.join(dead)} (see {stack.logs}/); stopping the rest")
                break
            time.sleep(1)  # watching the children
    finally:
        print("stopping…", flush=True)
        stack.stop_all()
        gateway.stop()
        print(f"stopped; SMS received by the local gateway: {gateway.state.total()}")


if __name__ == "__main__":
    main()
