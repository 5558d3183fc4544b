#ifndef CKAFKATLS_H
#define CKAFKATLS_H

// A small shim over OpenSSL (Debian's libssl) for the Kafka client: TLS through memory BIOs,
// so our own non-blocking sockets and poll(2) loop do the I/O and OpenSSL only transforms
// bytes; plus the few crypto primitives SCRAM needs. OpenSSL types stay out of this header:
// Swift sees opaque handles and plain C types only.

#include <stddef.h>
#include <stdint.h>

typedef struct ktls_ctx ktls_ctx;
typedef struct ktls_conn ktls_conn;

/// Outcome of a handshake step or a read.
enum {
    KTLS_OK = 1,          // handshake complete / bytes produced
    KTLS_WANT_MORE = 0,   // needs more ciphertext from the peer (WANT_READ)
    KTLS_ERROR = -1,      // failed: ktls_conn_error describes why
    KTLS_CLOSED = -2,     // the peer sent close_notify
};

/// Why a handshake failed, so callers can name the cause.
enum {
    KTLS_FAIL_OTHER = 0,
    KTLS_FAIL_VERIFY = 1,            // certificate chain not trusted (wrong CA, expired…)
    KTLS_FAIL_HOSTNAME = 2,          // certificate does not name the host we connected to
    KTLS_FAIL_NOT_TLS = 3,           // the peer's bytes are not TLS records
    KTLS_FAIL_ALERT = 4,             // the peer sent a fatal alert (e.g. rejected our certificate)
};

/// A client context. `ca_file` NULL: system roots. `cert_file`/`key_file` both NULL or both
/// set (PEM). Returns NULL and writes a reason into `err` on failure.
ktls_ctx *ktls_ctx_new(const char *ca_file, const char *cert_file, const char *key_file,
                       char *err, size_t err_len);
void ktls_ctx_free(ktls_ctx *ctx);

/// A client connection. `host` is used for SNI (names only, not IP literals) and, when
/// `verify_host` is non-zero, for hostname / IP verification of the peer certificate.
ktls_conn *ktls_conn_new(ktls_ctx *ctx, const char *host, int verify_host, char *err, size_t err_len);
void ktls_conn_free(ktls_conn *conn);

/// Hands ciphertext received from the socket to OpenSSL.
int ktls_feed(ktls_conn *conn, const uint8_t *bytes, size_t count);
/// One handshake step: KTLS_OK, KTLS_WANT_MORE or KTLS_ERROR.
int ktls_handshake(ktls_conn *conn);
/// Decrypts into `buffer`: returns bytes (> 0), KTLS_WANT_MORE, KTLS_ERROR or KTLS_CLOSED.
int ktls_read(ktls_conn *conn, uint8_t *buffer, size_t capacity);
/// Encrypts `count` plaintext bytes (all of them, memory BIOs never push back): count or KTLS_ERROR.
int ktls_write(ktls_conn *conn, const uint8_t *bytes, size_t count);
/// Ciphertext waiting to go to the socket.
size_t ktls_pending_output(ktls_conn *conn);
/// Moves up to `capacity` bytes of pending ciphertext into `buffer`; returns the count.
size_t ktls_take_output(ktls_conn *conn, uint8_t *buffer, size_t capacity);
/// The failure class (KTLS_FAIL_*) and a human-readable reason for the last KTLS_ERROR.
int ktls_conn_failure(ktls_conn *conn, char *buffer, size_t capacity);
/// The negotiated protocol, e.g. "TLSv1.3".
const char *ktls_conn_version(ktls_conn *conn);

/// Hash algorithms for the primitives below: 1 = SHA-1, 256 = SHA-256, 512 = SHA-512.
/// Each returns the digest length written, or 0 on failure (unknown algorithm, short buffer).
size_t ktls_digest(int algorithm, const uint8_t *data, size_t count, uint8_t *out, size_t out_capacity);
size_t ktls_hmac(int algorithm, const uint8_t *key, size_t key_count, const uint8_t *data, size_t count,
                 uint8_t *out, size_t out_capacity);
/// PBKDF2-HMAC (RFC 8018) with `out_count` output bytes; 1 on success, 0 on failure.
int ktls_pbkdf2(int algorithm, const uint8_t *password, size_t password_count, const uint8_t *salt,
                size_t salt_count, uint32_t iterations, uint8_t *out, size_t out_count);
/// Cryptographically random bytes; 1 on success.
int ktls_random(uint8_t *out, size_t count);

#endif
