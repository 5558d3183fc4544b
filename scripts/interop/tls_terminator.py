#!/usr/bin/env python3
"""A loopback TCP proxy in front of a broker, optionally terminating TLS, that counts the
connections it accepts and those that have ended. The TLS tests put it in front of Tansu (which has no working TLS of
its own: see PEERS.md); the SASL tests use it in plain mode to count connection attempts.

    tls_terminator.py --upstream 127.0.0.1:PORT [--cert server.pem --key server.key]
                      [--client-ca ca.pem] [--port N] [--count-file FILE]

--client-ca requires clients to present a certificate signed by that CA (mutual TLS).

Prints "LISTENING <port>" once ready. Exits when its stdin closes (the test process ended)."""
import argparse
import os
import socket
import ssl
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


counts = {"accepted": 0, "closed": 0}
counts_lock = threading.Lock()
count_file = None


def record(event):
    """Counts an accepted or finished connection; the file holds "ACCEPTED CLOSED"."""
    with counts_lock:
        counts[event] += 1
        if count_file:
            with open(count_file + ".tmp", "w") as f:
                f.write(f"{counts['accepted']} {counts['closed']}")
            os.replace(count_file + ".tmp", count_file)


def serve(client, upstream, context):
    try:
        relay(client, upstream, context)
    finally:
        record("closed")


def relay(client, upstream, context):
    try:
        if context is not None:
            client.settimeout(10)
            client = context.wrap_socket(client, server_side=True)
            client.settimeout(None)
        host, port = upstream
        broker = socket.create_connection((host, port))
    except (OSError, ssl.SSLError) as error:
        print(f"connection refused: {error}", file=sys.stderr, flush=True)
        client.close()
        return
    back = threading.Thread(target=pump, args=(broker, client), daemon=True)
    back.start()
    pump(client, broker)
    back.join()
    client.close()
    broker.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--count-file")
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    upstream = (host, int(port))
    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)
    print(f"LISTENING {listener.getsockname()[1]}", flush=True)

    # The test holds our stdin; when it goes away, so do we.
    def watch_stdin():
        while sys.stdin.buffer.read(1):
            pass
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()

    global count_file
    count_file = args.count_file
    while True:
        client, _ = listener.accept()
        record("accepted")
        threading.Thread(target=serve, args=(client, upstream, context), daemon=True).start()


if __name__ == "__main__":
    main()
