// librdkafka side of `make bench`: the same produce and consume workloads as `kafka-bench`,
// with the same settings, so the two clients can be compared in one run.
//
//   rdkafka_bench produce BROKERS TOPIC COUNT SIZE CODEC LINGER_MS BATCH_BYTES BUFFER_BYTES
//   rdkafka_bench consume BROKERS TOPIC COUNT SIZE PARTITIONS
//
// Every value starts with its record index (8 bytes, big-endian); the consumer checks sizes,
// the count and the sum of indices, so a lost or duplicated record fails the run. Prints one
// JSON line: {"client":"librdkafka","mode":...,"records":N,"bytes":B,"seconds":S}. CPU time and
// peak RSS are measured by the driver (getrusage of this process).
#include <librdkafka/rdkafka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "rdkafka_bench: %s: %s\n", what, detail);
    exit(2);
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) die(key, err);
}

static void put_index(unsigned char *value, uint64_t index) {
    for (int i = 0; i < 8; i++) value[i] = (unsigned char)(index >> (56 - 8 * i));
}

static uint64_t get_index(const unsigned char *value) {
    uint64_t index = 0;
    for (int i = 0; i < 8; i++) index = index << 8 | value[i];
    return index;
}

static long delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
    (void)rk;
    (void)opaque;
    if (msg->err) {
        if (failed++ == 0) fprintf(stderr, "rdkafka_bench: delivery failed: %s\n", rd_kafka_err2str(msg->err));
    } else {
        delivered++;
    }
}

static int produce(const char *brokers, const char *topic, long count, int size, const char *codec,
                   const char *linger, const char *batch_bytes, const char *buffer_bytes) {
    char err[512], kbytes[32];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", brokers);
    set(conf, "acks", "all");
    set(conf, "enable.idempotence", "true");
    set(conf, "compression.codec", codec);
    set(conf, "linger.ms", linger);
    set(conf, "batch.size", batch_bytes);
    set(conf, "batch.num.messages", "1000000");  // bytes bound a batch, as in ours
    snprintf(kbytes, sizeof kbytes, "%ld", atol(buffer_bytes) / 1024);
    set(conf, "queue.buffering.max.kbytes", kbytes);
    set(conf, "queue.buffering.max.messages", "10000000");
    set(conf, "delivery.report.only.error", "true");  // as ours: success is learned from flush
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new", err);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);

    unsigned char *value = malloc((size_t)size);
    for (int i = 0; i < size; i++) value[i] = (unsigned char)('a' + i % 26);
    double start = now_seconds();
    for (long i = 0; i < count; i++) {
        put_index(value, (uint64_t)i);
        while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value, (size_t)size, NULL, 0, NULL) == -1) {
            rd_kafka_resp_err_t e = rd_kafka_last_error();
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce", rd_kafka_err2str(e));
            rd_kafka_poll(rk, 1);  // buffer full: serve delivery reports until there is room
        }
        rd_kafka_poll(rk, 0);
    }
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 10);
    double seconds = now_seconds() - start;
    free(value);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    if (failed) {
        fprintf(stderr, "rdkafka_bench: %ld of %ld records failed\n", failed, count);
        return 1;
    }
    printf("{\"client\":\"librdkafka\",\"mode\":\"produce\",\"records\":%ld,\"bytes\":%ld,\"seconds\":%.6f}\n",
           count, count * (long)size, seconds);
    return 0;
}

static int consume(const char *brokers, const char *topic, long count, int size, int partitions) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", brokers);
    set(conf, "group.id", "rdkafka-bench");  // required by the API; assign joins no group
    set(conf, "enable.auto.commit", "false");
    set(conf, "enable.partition.eof", "false");
    set(conf, "fetch.wait.max.ms", "500");
    set(conf, "fetch.min.bytes", "1");
    set(conf, "max.partition.fetch.bytes", "1048576");
    set(conf, "fetch.queue.backoff.ms", "10");  // the 1 s default stalls on Tansu's 5 MB answers
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new", err);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;

    double start = now_seconds();
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, list);
    if (e) die("assign", rd_kafka_err2str(e));
    long received = 0, bytes = 0;
    uint64_t index_sum = 0;
    while (received < count) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, 1000);
        if (!msg) continue;
        if (msg->err) die("consume", rd_kafka_message_errstr(msg));
        if ((int)msg->len != size) die("consume", "record of unexpected size");
        index_sum += get_index(msg->payload);
        received++;
        bytes += (long)msg->len;
        rd_kafka_message_destroy(msg);
    }
    double seconds = now_seconds() - start;
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    uint64_t expected = (uint64_t)count * (uint64_t)(count - 1) / 2;
    if (index_sum != expected) die("consume", "records lost or duplicated (index sum differs)");
    printf("{\"client\":\"librdkafka\",\"mode\":\"consume\",\"records\":%ld,\"bytes\":%ld,\"seconds\":%.6f}\n",
           received, bytes, seconds);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 10 && strcmp(argv[1], "produce") == 0)
        return produce(argv[2], argv[3], atol(argv[4]), atoi(argv[5]), argv[6], argv[7], argv[8], argv[9]);
    if (argc == 7 && strcmp(argv[1], "consume") == 0)
        return consume(argv[2], argv[3], atol(argv[4]), atoi(argv[5]), atoi(argv[6]));
    fprintf(stderr,
            "usage: rdkafka_bench produce BROKERS TOPIC COUNT SIZE CODEC LINGER_MS BATCH_BYTES BUFFER_BYTES\n"
            "       rdkafka_bench consume BROKERS TOPIC COUNT SIZE PARTITIONS\n");
    return 2;
}
