/*
 * LD_PRELOAD shim for wrk: wrk reuses one OpenSSL object per connection and calls SSL_shutdown + SSL_clear when
 * the server closes, which keeps the TLS session, so its next connection RESUMES it (an abbreviated handshake,
 * no certificate signature). Dropping the session first makes every new connection a full handshake, as a client
 * that sends a single request does (the way Keycloak's sizing guide measures client credentials grants).
 * Built by bench/token-endpoint.sh: cc -shared -fPIC -o tls-no-resume.so tls-no-resume.c -ldl -lssl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/ssl.h>

int SSL_clear(SSL *ssl) {
    static int (*real_clear)(SSL *);
    if (!real_clear) {
        real_clear = (int (*)(SSL *)) dlsym(RTLD_NEXT, "SSL_clear");
    }
    SSL_set_session(ssl, NULL);
    return real_clear(ssl);
}
