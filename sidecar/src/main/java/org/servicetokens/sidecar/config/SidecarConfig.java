package org.servicetokens.sidecar.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole configuration, bound from YAML plus {@code SIDECAR_…} env overrides by {@link ConfigLoader}.
 * Field names are the camel-case form of the kebab-case keys ({@code clientId} ↔ {@code client-id}).
 * The initial values here ARE the documented defaults (docs/sidecar-config.md): they work with the demo
 * (Keycloak on localhost:8080, realm {@code demo}, app client {@code demo-app}, upstream on localhost:8081).
 */
public class SidecarConfig {

    public Listen listen = new Listen();
    public Management management = new Management();
    public Upstream upstream = new Upstream();
    public Keycloak keycloak = new Keycloak();
    public App app = new App();
    public Credentials credentials = new Credentials();
    public Headers headers = new Headers();
    /** The client credentials grants of service tokens; the keys say {@code exchange.*}, as they always have. */
    public ClientCredentials exchange = new ClientCredentials();

    public Tokens tokens = new Tokens();
    public Revocation revocation = new Revocation();
    public Cookies cookies = new Cookies();
    public Login login = new Login();
    public Sessions sessions = new Sessions();
    public Policy policy = new Policy();
    public AccessLog accessLog = new AccessLog();
    public Cluster cluster = new Cluster();
    public ForwardAuth forwardAuth = new ForwardAuth();
    public ResourceMetadata resourceMetadata = new ResourceMetadata();

    public static class Listen {
        public String host = "0.0.0.0";
        public int port = 8000;
        /** Verticle instances (each with its own JWT verifier: a key's Signature is locked); 0 = one per core. */
        public int instances = 0;
        /** Larger request heads get 431; 64 KB hostile headers never reach the pipeline. */
        public int maxHeaderSize = 16384;
        /**
         * External base URL (e.g. https://app.example.com): every URL the sidecar builds (login redirect_uri, logout
         * redirects, the logout origin check, X-Forwarded-Host/-Proto) uses it; empty = from the request's Host.
         */
        public String publicUrl = "";
        /** Methods accepted (exact, upper-case RFC 9110 tokens); any other gets 405. TRACE and CONNECT are not. */
        public List<String> methods =
                new ArrayList<>(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        /** HTTP/2 over cleartext (prior knowledge and Upgrade: h2c); off unless the sidecar's clients need it. */
        public boolean h2c = false;
        /** The optional TLS listener: {@code listen.tls.cert-file}, {@code key-file}, {@code reload-interval}. */
        public org.servicetokens.sidecar.tls.ServerTls tls = new org.servicetokens.sidecar.tls.ServerTls();
        /** A connection's first request line and headers must have arrived this long after it opened, else it closes. */
        public Duration headerTimeout = Duration.ofSeconds(10);
        /**
         * A connection with no bytes read or written for this long closes; between keep-alive requests it is also the
         * time the next request's head has to arrive in full. Longer than upstream.timeout, or slow upstream answers
         * would be cut.
         */
        public Duration idleTimeout = Duration.ofSeconds(60);
        /** Open client connections at most (all event loops together); more are closed at once and counted. */
        public int maxConnections = 10_000;
        /**
         * Front proxies (IPv4/IPv6 CIDR ranges or addresses, at most 50) whose {@code X-Forwarded-For} is believed when
         * judging a request's client address against a service token's allowed networks; empty = the TCP peer is the
         * client. See {@code ClientAddresses}.
         */
        public List<String> trustedProxies = new ArrayList<>();
    }

    /** Request headers removed before forwarding, besides the identity and credential headers. */
    public static class Headers {
        /**
         * Routing-override and client-address headers that frameworks honour (X-Original-URL, X-HTTP-Method-Override,
         * Forwarded…): stripped from every request, HTTP and WebSocket alike. Setting the key replaces this list.
         */
        public List<String> stripExtra = new ArrayList<>(List.of(
                "X-Original-URL",
                "X-Rewrite-URL",
                "X-Override-URL",
                "X-Original-URI",
                "X-Original-Method",
                "X-HTTP-Method-Override",
                "X-HTTP-Method",
                "X-Method-Override",
                "X-Forwarded-Prefix",
                "X-Forwarded-Path",
                "X-Forwarded-Uri",
                "X-Forwarded-Method",
                "X-Forwarded-Server",
                "X-Host",
                "X-Forwarded-Scheme",
                "X-Forwarded-Ssl",
                "X-Url-Scheme",
                "Forwarded",
                "X-Real-IP",
                "X-Client-IP",
                "True-Client-IP",
                "CF-Connecting-IP"));
    }

    public static class Management {
        public String host = "0.0.0.0";
        public int port = 9091;
    }

    public static class Upstream {
        public String url = "http://localhost:8081";
        /** No response bytes for this long → 504. */
        public Duration timeout = Duration.ofSeconds(30);

        public Duration connectTimeout = Duration.ofSeconds(5);
        /** HTTP/1 connections per verticle instance (vertx-http-proxy's default of 5 is far too small). */
        public int poolSize = 64;
        /** Requests waiting for a pooled connection beyond this get 502 instead of queueing without bound. */
        public int maxWaitQueue = 1024;

        public boolean websocket = true;
        /** Trust for an https upstream: {@code upstream.tls.ca-file}, {@code trust-all-development-only}. */
        public org.servicetokens.sidecar.tls.ClientTls tls = new org.servicetokens.sidecar.tls.ClientTls();
    }

    public static class Keycloak {
        public String issuer = "http://localhost:8080/realms/demo";
        /** Where to fetch discovery when the issuer URL is not reachable from here (containers); empty = from issuer. */
        public String discoveryUrl = "";
        /** Response timeout of every call to Keycloak (discovery, JWKS, token endpoint): no bytes for this long fails it. */
        public Duration timeout = Duration.ofSeconds(3);
        /** TCP connect timeout of every call to Keycloak, separate from (and shorter than) the response timeout. */
        public Duration connectTimeout = Duration.ofSeconds(1);
        /** Periodic JWKS refresh even without unknown kids. */
        public Duration jwksRefreshInterval = Duration.ofMinutes(5);
        /** An unknown kid triggers at most one JWKS refetch per this interval. */
        public Duration jwksMinRefetchInterval = Duration.ofSeconds(10);
        /** Clock skew accepted for exp / nbf / iat; at most 30s by contract. */
        public Duration leeway = Duration.ofSeconds(30);
        /** Consecutive failed calls to Keycloak that open the circuit breaker. */
        public int breakerFailureThreshold = 5;
        /** How long the open breaker fails fast before letting one trial call through. */
        public Duration breakerOpenDuration = Duration.ofSeconds(10);
        /** How often Keycloak's reachability is probed (discovery GET); a success closes an open breaker early. */
        public Duration probeInterval = Duration.ofSeconds(2);
        /**
         * A probe not answered within this is a failure: Keycloak counts as unreachable, new exchanges get 503 at once
         * and exchanges waiting on it are answered 503 too.
         */
        public Duration probeTimeout = Duration.ofSeconds(1);
        /** Trust for an https Keycloak: {@code keycloak.tls.ca-file}, {@code trust-all-development-only}. */
        public org.servicetokens.sidecar.tls.ClientTls tls = new org.servicetokens.sidecar.tls.ClientTls();
    }

    public static class App {
        public String clientId = "demo-app";
        /** The app's own confidential client, for human login (used by the login flow). */
        public String clientSecret = "";
    }

    public static class Credentials {
        public List<String> clientIdHeaders = new ArrayList<>(List.of("KC-Access-Client-Id", "CF-Access-Client-Id"));
        public List<String> clientSecretHeaders =
                new ArrayList<>(List.of("KC-Access-Client-Secret", "CF-Access-Client-Secret"));
        /** Accept {@code Authorization: Basic base64(id:secret)} as a service-token credential. */
        public boolean basic = true;
    }

    public static class ClientCredentials {
        /** Cached exchanged JWTs are dropped this long before their exp. */
        public Duration refreshBeforeExpiry = Duration.ofSeconds(30);
        /** A failed exchange (wrong secret…) is remembered this long, so it cannot hammer Keycloak. */
        public Duration negativeTtl = Duration.ofSeconds(5);

        /**
         * Credentials whose grant is cached at most (also bounds remembered refusals, in-flight markers and the
         * known-good admission map): ~2.3 KB of heap each at worst ({@link HeapBudget#EXCHANGE_BYTES}), so the default
         * takes ~22 MiB when full and fits the image's heap with the other caches' defaults.
         */
        public int maxEntries = 10_000;
        /** Seconds announced in Retry-After when Keycloak cannot be reached. */
        public Duration retryAfter = Duration.ofSeconds(5);
        /** Connections to the token endpoint, for every grant (JWKS, discovery and the probe have their own). */
        public int poolSize = 16;
        /** Calls waiting for one of those connections at most; more get 503 at once (not a Keycloak failure). */
        public int poolMaxWaitQueue = 64;
        /**
         * Calls to Keycloak for credentials this replica has not seen succeed (a token bucket: this many per second,
         * up to {@code calls-burst} at once). Credentials that succeeded before are not limited.
         */
        public int callsPerSecond = 20;

        public int callsBurst = 50;
        /** The same for one client ID (any secret): this many calls per minute, and as many at once. */
        public int callsPerClientPerMinute = 10;
        /** Exchanges waiting for a call beyond the rate at most; more get 429 at once. */
        public int callQueue = 100;
        /** An exchange waits this long at most for a call beyond the rate, then gets 429. */
        public Duration callQueueTimeout = Duration.ofSeconds(2);
    }

    public static class Tokens {
        /** Already-verified tokens kept until their exp, for the whole process (all verticles); 0 = off. */
        public int verifiedCacheSize = 100_000;
    }

    public static class Revocation {
        /** A logout token's iat must be at most this old (plus leeway). */
        public Duration maxTokenAge = Duration.ofMinutes(2);
        /** How long a revocation record (a cut-off, or a retired secret id) is kept; longer than any access-token lifespan. */
        public Duration retention = Duration.ofHours(24);
    }

    public static class Cookies {
        /** Secure flag on the sidecar's cookies; switch off only for plain-http localhost. */
        public boolean secure = true;
        /** Prefix of the sidecar's cookies; every cookie so named is removed before forwarding. */
        public String name = "sidecar";
    }

    /** Human login through Keycloak (authorization code + PKCE), issue 6. */
    public static class Login {
        /** Scopes asked for; must include {@code openid}. */
        public String scope = "openid";
        /** How long a started login may take before its state is forgotten (login cookie lifetime too). */
        public Duration timeout = Duration.ofMinutes(10);
        /** Where Keycloak sends the browser after logout; empty = the sidecar's own signed-out page. */
        public String postLogoutUrl = "";
    }

    public static class Sessions {
        /** A session's access token is refreshed this long before its exp. */
        public Duration refreshBeforeExpiry = Duration.ofSeconds(30);
        /**
         * Browser sessions kept at most (replicated: every replica holds all of them): ~2.6 KB of heap each
         * ({@link HeapBudget#SESSION_BYTES}), so the default takes ~25 MiB when full and fits the image's heap with the
         * other caches' defaults.
         */
        public int maxEntries = 10_000;
        /** Highest accepted {@code sessions.max-per-subject}: keeps a subject's session index under ~70 KB. */
        public static final int MAX_PER_SUBJECT_LIMIT = 1000;

        /** Browser sessions one subject may hold at once; a new login beyond it ends that subject's oldest session. */
        public int maxPerSubject = 20;
    }

    public static class Policy {
        /** Ordered rules, first match wins; no match = authenticated. */
        public List<Rule> rules = new ArrayList<>();
    }

    public static class Rule {
        public String path;
        public List<String> methods = new ArrayList<>();
        /** Match the path's ASCII letters in any case (for apps whose router does); default exact. */
        @JsonAlias("ignoreCase")
        public boolean ignoreCase = false;
        /** {@code public}, {@code authenticated} or an object of conditions; kept as a tree, parsed by PolicyParser. */
        public JsonNode allow;
        /** Keys this rule does not know, reported by PolicyParser. */
        @JsonIgnore
        public final List<String> unknownKeys = new ArrayList<>();

        @JsonAnySetter
        void unknownKey(String key, Object value) {
            unknownKeys.add(key);
        }
    }

    /** One JSON line per request, written off the event loops by one thread (pipeline.AccessLogWriter). */
    public static class AccessLog {
        public boolean enabled = true;
        /** Lines on the process's stdout (what container runtimes collect). */
        public boolean stdout = true;
        /** Also append the lines to this file (created rw-r-----, reopened when moved away); empty = no file. */
        public String file = "";
    }

    /**
     * Clustered mode (issue 7): with {@code members} or {@code dns-query} set, the caches of all replicas form one
     * Infinispan cluster over JGroups TCP; both empty = local caches (the default).
     */
    public static class Cluster {
        /** Replicas join only a cluster of the same name (and secret). */
        public String name = "sidecar";
        /** Static members as host:port (TCPPING), this replica may be listed too. */
        public List<String> members = new ArrayList<>();
        /** DNS name whose records list the members (DNS_PING), e.g. a Kubernetes headless service. */
        public String dnsQuery = "";
        /** A (members listen on cluster.port) or SRV (records carry the ports). */
        public String dnsRecordType = "A";
        /** Address the cluster transport binds to; empty = the host's site-local (private) address. */
        public String bindAddress = "";
        /** TCP port of the cluster transport; failure detection uses port + 100. */
        public int port = 7800;
        /** Shared secret: traffic is encrypted with a key derived from it, and only its holders can join. */
        public String secret = "";

        public boolean enabled() {
            return !members.isEmpty() || !dnsQuery.isEmpty();
        }
    }

    /**
     * The forward-auth endpoints ({@code /.sidecar/forward-auth}, {@code /.sidecar/auth-request}) that nginx
     * {@code auth_request}, Caddy {@code forward_auth}, Traefik {@code ForwardAuth} and Envoy {@code ext_authz} call.
     * Each header list names where the original request's part may come from; a request must carry at most one of
     * them, once (two → 400), and only a peer in {@code trusted-proxies} is heard at all (else 403).
     */
    public static class ForwardAuth {
        /** Peers (IP addresses or CIDR ranges) allowed to call the endpoints; empty = nobody (every call 403). */
        public List<String> trustedProxies = new ArrayList<>();
        /** The original method: Traefik and Caddy send X-Forwarded-Method, the shipped nginx config X-Original-Method. */
        public List<String> methodHeaders = new ArrayList<>(List.of("X-Forwarded-Method", "X-Original-Method"));
        /** The original request target, origin-form ({@code /path?query}): X-Forwarded-Uri or nginx's X-Original-URI. */
        public List<String> uriHeaders = new ArrayList<>(List.of("X-Forwarded-Uri", "X-Original-URI"));
        /** The original request as an absolute URL ({@code https://host/path?query}), as ingress-nginx sends it. */
        public List<String> urlHeaders = new ArrayList<>(List.of("X-Original-URL"));
        /** The original Host (optional: else listen.public-url, else the request's own Host). */
        public List<String> hostHeaders = new ArrayList<>(List.of("X-Forwarded-Host"));
        /** The original scheme, {@code http} or {@code https} (optional, as the host). */
        public List<String> protoHeaders = new ArrayList<>(List.of("X-Forwarded-Proto"));
        /** Longest original request target accepted, in characters; longer → 414. */
        public int maxUriLength = 8192;
    }

    /** RFC 9728 OAuth 2.0 Protected Resource Metadata, and {@code resource_metadata} in every non-browser 401. */
    public static class ResourceMetadata {
        /** Serve {@code /.well-known/oauth-protected-resource} and name it in 401 challenges (RFC 9728 §5.1). */
        public boolean enabled = true;
        /** The resource identifier (an https URL; http for localhost); empty = listen.public-url, else the request's. */
        public String resource = "";
        /** Human-readable name ({@code resource_name}); empty = left out. */
        public String name = "";
        /** A page for developers ({@code resource_documentation}); empty = left out. */
        public String documentation = "";
    }

    /** The effective instance count. */
    public int instances() {
        return listen.instances > 0
                ? listen.instances
                : Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
