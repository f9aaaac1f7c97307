package org.servicetokens.sidecar.login;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Return URLs: same-origin relative paths survive unchanged, every open-redirect shape becomes "/". */
class ReturnUrlTest {

    @Test
    void sameOriginPathsAreKeptAsTheyAre() {
        for (String ok : List.of(
                "/",
                "/reports",
                "/reports/2024?year=2024&q=a+b",
                "/a/b/c?x=%2F",
                "/search?next=/home",
                "/caf%C3%A9",
                "/path#frag")) {
            assertEquals(ok, ReturnUrl.sanitize(ok), ok);
        }
    }

    @Test
    void openRedirectAttemptsFallBackToRoot() {
        List<String> attacks = List.of(
                "//evil.example",
                "//evil.example/path",
                "/\\evil.example",
                "\\\\evil.example",
                "/\\/evil.example",
                "https://evil.example",
                "http://evil.example/x",
                "HTTPS://evil.example",
                "javascript:alert(1)",
                "data:text/html,<script>",
                "evil.example",
                "relative/path",
                "",
                "/%2F%2Fevil.example",
                "%2F%2Fevil.example",
                "/%5Cevil.example",
                "%2f%2fevil.example",
                "/%252F%252Fevil.example",
                "%252F%252Fevil.example",
                "/\t/evil.example",
                "/%09/evil.example",
                "/\n/evil.example",
                "/%0a/evil.example",
                "/%0d%0a/evil.example",
                " //evil.example",
                "/ /evil.example",
                "\u3002/evil.example",
                "/\u2215\u2215evil.example",
                "/.sidecar/logout",
                "/.sidecar/callback?code=x",
                "/.SIDECAR/logout",
                "/.sidecar",
                "/%ZZ",
                "/x".repeat(2000));
        for (String attack : attacks) {
            assertEquals(ReturnUrl.HOME, ReturnUrl.sanitize(attack), attack);
        }
        assertEquals(ReturnUrl.HOME, ReturnUrl.sanitize(null));
    }
}
