#!/usr/bin/env python3
"""Hosts a librdkafka mock cluster of N brokers (ctypes on the pip build of librdkafka) and
takes commands on stdin, one per line, answering "OK" or "ERR <reason>":

  topic NAME PARTITIONS REPLICAS     create a topic (the mock has no CreateTopics)
  leader TOPIC PARTITION BROKER      move a partition's leader
  down BROKER / up BROKER            take a broker down / bring it back
  errors APIKEY ERR [ERR...]         the next requests of APIKEY (any broker) fail with these codes
  broker_errors BROKER APIKEY ERR:RTT [ERR:RTT...]   the same on one broker, each after RTT ms
  clear_errors APIKEY                drop errors pushed for APIKEY and not yet used
  coordinator GROUP BROKER           move group GROUP's coordinator
  rtt BROKER MS                      delay every response of BROKER by MS
  quit                               destroy the cluster and exit

Prints "BOOTSTRAP host:port,..." once ready. Exits when stdin closes.
Usage: mock_cluster.py [--brokers N]
MOCK_CLUSTER_DEBUG=1 in the environment logs the mock's own decisions (group states, injected
errors) to stderr: librdkafka's debug=mock."""
import argparse
import ctypes
import glob
import os
import sys

import confluent_kafka


def load():
    libdir = os.path.join(os.path.dirname(confluent_kafka.__file__), "..", "confluent_kafka.libs")
    lib = ctypes.CDLL(glob.glob(os.path.join(libdir, "librdkafka-*.so.1"))[0])
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.rd_kafka_mock_partition_set_leader.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32]
    lib.rd_kafka_mock_broker_set_down.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_broker_set_up.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_push_request_errors_array.argtypes = [ctypes.c_void_p, ctypes.c_int16, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]
    lib.rd_kafka_mock_push_request_errors_array.restype = None
    lib.rd_kafka_mock_clear_request_errors.argtypes = [ctypes.c_void_p, ctypes.c_int16]
    lib.rd_kafka_mock_clear_request_errors.restype = None
    lib.rd_kafka_mock_coordinator_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int32]
    lib.rd_kafka_mock_broker_set_rtt.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int]
    lib.rd_kafka_mock_group_initial_rebalance_delay_ms.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_cluster_destroy.argtypes = [ctypes.c_void_p]
    return lib


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", type=int, default=3)
    args = parser.parse_args()
    lib = load()
    errstr = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    if os.environ.get("MOCK_CLUSTER_DEBUG"):
        lib.rd_kafka_conf_set(conf, b"log_level", b"7", errstr, 512)
        lib.rd_kafka_conf_set(conf, b"debug", b"mock", errstr, 512)
    else:
        lib.rd_kafka_conf_set(conf, b"log_level", b"3", errstr, 512)
    rk = lib.rd_kafka_new(0, conf, errstr, 512)  # a producer handle that only owns the cluster
    if not rk:
        sys.exit(f"rd_kafka_new: {errstr.value.decode()}")
    mc = lib.rd_kafka_mock_cluster_new(rk, args.brokers)
    if not mc:
        sys.exit("rd_kafka_mock_cluster_new failed")
    lib.rd_kafka_mock_group_initial_rebalance_delay_ms(mc, 0)
    print("BOOTSTRAP", lib.rd_kafka_mock_cluster_bootstraps(mc).decode(), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "topic":
                rc = lib.rd_kafka_mock_topic_create(mc, words[1].encode(), int(words[2]), int(words[3]))
            elif words[0] == "leader":
                rc = lib.rd_kafka_mock_partition_set_leader(mc, words[1].encode(), int(words[2]), int(words[3]))
            elif words[0] == "down":
                rc = lib.rd_kafka_mock_broker_set_down(mc, int(words[1]))
            elif words[0] == "up":
                rc = lib.rd_kafka_mock_broker_set_up(mc, int(words[1]))
            elif words[0] == "errors":
                codes = [int(w) for w in words[2:]]
                lib.rd_kafka_mock_push_request_errors_array(mc, int(words[1]), len(codes), (ctypes.c_int * len(codes))(*codes))
                rc = 0
            elif words[0] == "broker_errors":
                # Variadic (err, rtt) pairs: ints on x86-64 pass as they are.
                pairs = [int(x) for w in words[3:] for x in w.split(":")]
                rc = lib.rd_kafka_mock_broker_push_request_error_rtts(
                    ctypes.c_void_p(mc), ctypes.c_int32(int(words[1])), ctypes.c_int16(int(words[2])), ctypes.c_size_t(len(pairs) // 2),
                    *[ctypes.c_int(x) for x in pairs])
            elif words[0] == "clear_errors":
                lib.rd_kafka_mock_clear_request_errors(mc, int(words[1]))
                rc = 0
            elif words[0] == "coordinator":
                rc = lib.rd_kafka_mock_coordinator_set(mc, b"group", words[1].encode(), int(words[2]))
            elif words[0] == "rtt":
                rc = lib.rd_kafka_mock_broker_set_rtt(mc, int(words[1]), int(words[2]))
            elif words[0] == "quit":
                break
            else:
                print(f"ERR unknown command {words[0]}", flush=True)
                continue
            print("OK" if rc == 0 else f"ERR rc={rc}", flush=True)
        except (IndexError, ValueError) as e:
            print(f"ERR {e}", flush=True)
    lib.rd_kafka_mock_cluster_destroy(mc)


if __name__ == "__main__":
    main()
