// OpenSSL behind memory BIOs: the caller moves ciphertext between the socket and the BIOs,
// OpenSSL never touches a file descriptor and never blocks. See CKafkaTLS.h.
#include "CKafkaTLS.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

struct ktls_ctx {
    SSL_CTX *ctx;
};

struct ktls_conn {
    SSL *ssl;
    BIO *rbio;  // ciphertext from the peer, read by OpenSSL
    BIO *wbio;  // ciphertext for the peer, written by OpenSSL
    int failure;
    char reason[256];
};

static void copy_reason(char *out, size_t len, const char *text) {
    if (out == NULL || len == 0) return;
    snprintf(out, len, "%s", text);
}

// The first queued OpenSSL error as text, or `fallback` when the queue is empty.
static void queued_error(char *out, size_t len, const char *fallback) {
    unsigned long code = ERR_peek_last_error();
    if (code == 0) {
        copy_reason(out, len, fallback);
        return;
    }
    const char *reason = ERR_reason_error_string(code);
    copy_reason(out, len, reason != NULL ? reason : fallback);
}

ktls_ctx *ktls_ctx_new(const char *ca_file, const char *cert_file, const char *key_file, char *err, size_t err_len) {
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        queued_error(err, err_len, "cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int loaded = ca_file != NULL ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                                 : SSL_CTX_set_default_verify_paths(ctx);
    if (loaded != 1) {
        char reason[200];
        queued_error(reason, sizeof reason, "unreadable");
        snprintf(err, err_len, "cannot load CA certificates%s%s: %s", ca_file ? " from " : " (system roots)",
                 ca_file ? ca_file : "", reason);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (cert_file != NULL || key_file != NULL) {
        if (cert_file == NULL || key_file == NULL) {
            copy_reason(err, err_len, "a client certificate needs both a certificate file and a key file");
            SSL_CTX_free(ctx);
            return NULL;
        }
        if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
            char reason[200];
            queued_error(reason, sizeof reason, "unreadable");
            snprintf(err, err_len, "cannot load the client certificate %s: %s", cert_file, reason);
            SSL_CTX_free(ctx);
            return NULL;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
            char reason[200];
            queued_error(reason, sizeof reason, "unreadable");
            snprintf(err, err_len, "cannot use the client key %s: %s", key_file, reason);
            SSL_CTX_free(ctx);
            return NULL;
        }
    }
    ktls_ctx *out = calloc(1, sizeof *out);
    if (out == NULL) {
        SSL_CTX_free(ctx);
        copy_reason(err, err_len, "out of memory");
        return NULL;
    }
    out->ctx = ctx;
    return out;
}

void ktls_ctx_free(ktls_ctx *ctx) {
    if (ctx == NULL) return;
    SSL_CTX_free(ctx->ctx);
    free(ctx);
}

static int is_ip_literal(const char *host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

ktls_conn *ktls_conn_new(ktls_ctx *ctx, const char *host, int verify_host, char *err, size_t err_len) {
    ERR_clear_error();
    ktls_conn *conn = calloc(1, sizeof *conn);
    if (conn == NULL) {
        copy_reason(err, err_len, "out of memory");
        return NULL;
    }
    conn->ssl = SSL_new(ctx->ctx);
    conn->rbio = BIO_new(BIO_s_mem());
    conn->wbio = BIO_new(BIO_s_mem());
    if (conn->ssl == NULL || conn->rbio == NULL || conn->wbio == NULL) {
        queued_error(err, err_len, "cannot create a TLS connection");
        if (conn->ssl) SSL_free(conn->ssl);
        if (conn->rbio) BIO_free(conn->rbio);
        if (conn->wbio) BIO_free(conn->wbio);
        free(conn);
        return NULL;
    }
    // An empty memory BIO reports "retry" instead of EOF, which is what WANT_READ needs.
    BIO_set_mem_eof_return(conn->rbio, -1);
    SSL_set_bio(conn->ssl, conn->rbio, conn->wbio);
    SSL_set_connect_state(conn->ssl);
    int ok = 1;
    if (is_ip_literal(host)) {
        // RFC 6066 forbids IP literals in SNI; verify the certificate's IP SAN instead.
        if (verify_host) ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(conn->ssl), host);
    } else {
        ok = SSL_set_tlsext_host_name(conn->ssl, host);
        if (ok && verify_host) {
            SSL_set_hostflags(conn->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = SSL_set1_host(conn->ssl, host);
        }
    }
    if (ok != 1) {
        queued_error(err, err_len, "cannot set the server name");
        ktls_conn_free(conn);
        return NULL;
    }
    return conn;
}

void ktls_conn_free(ktls_conn *conn) {
    if (conn == NULL) return;
    SSL_free(conn->ssl);  // frees both BIOs
    free(conn);
}

int ktls_feed(ktls_conn *conn, const uint8_t *bytes, size_t count) {
    while (count > 0) {
        int chunk = count > 1 << 30 ? 1 << 30 : (int)count;
        int n = BIO_write(conn->rbio, bytes, chunk);
        if (n <= 0) return KTLS_ERROR;
        bytes += n;
        count -= (size_t)n;
    }
    return KTLS_OK;
}

// Sorts a failed handshake or read into a cause the caller can name.
static void classify(ktls_conn *conn, int ssl_error) {
    long verify = SSL_get_verify_result(conn->ssl);
    unsigned long code = ERR_peek_error();
    int reason = ERR_GET_REASON(code);
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        conn->failure = KTLS_FAIL_HOSTNAME;
        snprintf(conn->reason, sizeof conn->reason, "%s", X509_verify_cert_error_string(verify));
    } else if (verify != X509_V_OK) {
        conn->failure = KTLS_FAIL_VERIFY;
        snprintf(conn->reason, sizeof conn->reason, "%s", X509_verify_cert_error_string(verify));
    } else if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
               reason == SSL_R_UNEXPECTED_RECORD ||
               reason == SSL_R_UNEXPECTED_MESSAGE) {
        conn->failure = KTLS_FAIL_NOT_TLS;
        queued_error(conn->reason, sizeof conn->reason, "not a TLS record");
    } else if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
        conn->failure = KTLS_FAIL_ALERT;
        queued_error(conn->reason, sizeof conn->reason, "fatal alert");
    } else {
        conn->failure = KTLS_FAIL_OTHER;
        char fallback[64];
        snprintf(fallback, sizeof fallback, "TLS error %d", ssl_error);
        queued_error(conn->reason, sizeof conn->reason, fallback);
    }
}

int ktls_handshake(ktls_conn *conn) {
    ERR_clear_error();
    int r = SSL_do_handshake(conn->ssl);
    if (r == 1) return KTLS_OK;
    int e = SSL_get_error(conn->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return KTLS_WANT_MORE;
    classify(conn, e);
    return KTLS_ERROR;
}

int ktls_read(ktls_conn *conn, uint8_t *buffer, size_t capacity) {
    ERR_clear_error();
    int chunk = capacity > 1 << 30 ? 1 << 30 : (int)capacity;
    int n = SSL_read(conn->ssl, buffer, chunk);
    if (n > 0) return n;
    int e = SSL_get_error(conn->ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return KTLS_WANT_MORE;
    if (e == SSL_ERROR_ZERO_RETURN) return KTLS_CLOSED;
    classify(conn, e);
    return KTLS_ERROR;
}

int ktls_write(ktls_conn *conn, const uint8_t *bytes, size_t count) {
    ERR_clear_error();
    size_t done = 0;
    while (done < count) {
        size_t left = count - done;
        int chunk = left > 1 << 30 ? 1 << 30 : (int)left;
        int n = SSL_write(conn->ssl, bytes + done, chunk);
        if (n <= 0) {
            classify(conn, SSL_get_error(conn->ssl, n));
            return KTLS_ERROR;
        }
        done += (size_t)n;
    }
    return (int)(count > 0x7fffffff ? 0x7fffffff : count);
}

size_t ktls_pending_output(ktls_conn *conn) { return BIO_ctrl_pending(conn->wbio); }

size_t ktls_take_output(ktls_conn *conn, uint8_t *buffer, size_t capacity) {
    int chunk = capacity > 1 << 30 ? 1 << 30 : (int)capacity;
    int n = BIO_read(conn->wbio, buffer, chunk);
    return n > 0 ? (size_t)n : 0;
}

int ktls_conn_failure(ktls_conn *conn, char *buffer, size_t capacity) {
    copy_reason(buffer, capacity, conn->reason);
    return conn->failure;
}

const char *ktls_conn_version(ktls_conn *conn) { return SSL_get_version(conn->ssl); }

static const EVP_MD *digest_for(int algorithm) {
    switch (algorithm) {
    case 1: return EVP_sha1();
    case 256: return EVP_sha256();
    case 512: return EVP_sha512();
    default: return NULL;
    }
}

size_t ktls_digest(int algorithm, const uint8_t *data, size_t count, uint8_t *out, size_t out_capacity) {
    const EVP_MD *md = digest_for(algorithm);
    if (md == NULL || out_capacity < (size_t)EVP_MD_get_size(md)) return 0;
    unsigned int length = 0;
    if (EVP_Digest(data, count, out, &length, md, NULL) != 1) return 0;
    return length;
}

size_t ktls_hmac(int algorithm, const uint8_t *key, size_t key_count, const uint8_t *data, size_t count,
                 uint8_t *out, size_t out_capacity) {
    const EVP_MD *md = digest_for(algorithm);
    if (md == NULL || out_capacity < (size_t)EVP_MD_get_size(md) || key_count > 0x7fffffff) return 0;
    unsigned int length = 0;
    if (HMAC(md, key, (int)key_count, data, count, out, &length) == NULL) return 0;
    return length;
}

int ktls_pbkdf2(int algorithm, const uint8_t *password, size_t password_count, const uint8_t *salt,
                size_t salt_count, uint32_t iterations, uint8_t *out, size_t out_count) {
    const EVP_MD *md = digest_for(algorithm);
    if (md == NULL || iterations == 0 || iterations > 0x7fffffff || password_count > 0x7fffffff ||
        salt_count > 0x7fffffff || out_count > 0x7fffffff) return 0;
    return PKCS5_PBKDF2_HMAC((const char *)password, (int)password_count, salt, (int)salt_count, (int)iterations, md,
                             (int)out_count, out) == 1;
}

int ktls_random(uint8_t *out, size_t count) {
    if (count > 0x7fffffff) return 0;
    return RAND_bytes(out, (int)count) == 1;
}
