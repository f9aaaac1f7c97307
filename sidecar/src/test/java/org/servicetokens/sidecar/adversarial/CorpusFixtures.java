package org.servicetokens.sidecar.adversarial;

import java.util.List;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;

/** The fake realm's service tokens for the corpus, and the per-case realm states a case can ask for. */
final class CorpusFixtures {

    private CorpusFixtures() {}

    /** Service tokens the corpus uses: allowed for this app, allowed for another app only, and one to revoke. */
    static void realm(FakeKeycloak realm) {
        realm.clients.put(
                Corpus.SERVICE_ID,
                new FakeKeycloak.Client(Corpus.SERVICE_SECRET, "sub-corpus-bot", "corpus bot", List.of("demo-app")));
        realm.clients.put(
                "other-app-bot",
                new FakeKeycloak.Client(
                        CorpusTokens.secret("other-app-bot"),
                        "sub-other-app-bot",
                        "other app bot",
                        List.of("other-app")));
        realm.clients.put(
                "revocable-bot",
                new FakeKeycloak.Client(
                        CorpusTokens.secret("revocable-bot"),
                        "sub-revocable-bot",
                        "revocable bot",
                        List.of("demo-app")));
    }

    /** {@code keycloak-hang}: the token endpoint accepts and never answers; {@code keycloak-503}: it answers 503. */
    static void before(Harness h, String fixture) {
        switch (fixture) {
            case "" -> {}
            case "keycloak-hang" -> h.keycloak.tokenMode = FakeKeycloak.Mode.HANG;
            case "keycloak-503" -> h.keycloak.tokenMode = FakeKeycloak.Mode.ERROR_503;
            default -> throw new IllegalArgumentException("unknown fixture " + fixture);
        }
    }

    static void after(Harness h, String fixture) {
        h.keycloak.tokenMode = FakeKeycloak.Mode.OK;
    }
}
