package org.servicetokens.sidecar.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.support.Harness;

class PolicyTest {

    private static Policy policy(String yaml) {
        List<String> problems = new ArrayList<>();
        Policy p = PolicyParser.parse(Harness.rules(yaml), problems);
        assertTrue(problems.isEmpty(), problems.toString());
        return p;
    }

    private static Identity id(
            Identity.Type type,
            String email,
            List<String> roles,
            Map<String, List<String>> clientRoles,
            List<String> groups,
            String client) {
        return new Identity(type, "s", "u", email, client, null, null, roles, clientRoles, groups, 0, 0, "t");
    }

    @Test
    void globsAndFirstMatch() {
        Policy p = policy("""
        - {path: /api/**, methods: [GET], allow: public}
        - {path: /api/*/x, allow: authenticated}
        - {path: /files/*.txt, allow: public}
        """);
        assertSame(Access.PUBLIC, p.decide(HttpMethod.GET, "/api"));
        assertSame(Access.PUBLIC, p.decide(HttpMethod.GET, "/api/a/b/c"));
        assertSame(Access.AUTHENTICATED, p.decide(HttpMethod.POST, "/api/a/x"));
        assertSame(Access.AUTHENTICATED, p.decide(HttpMethod.GET, "/apix"), "no match → authenticated");
        assertSame(Access.PUBLIC, p.decide(HttpMethod.GET, "/files/a.txt"));
        assertSame(Access.AUTHENTICATED, p.decide(HttpMethod.GET, "/files/a/b.txt"));
        assertSame(Access.AUTHENTICATED, p.decide(HttpMethod.GET, "/files/a.txt.exe"));
    }

    @Test
    void conditionsAreAndedAcrossFieldsOredWithin() {
        Access a = policy("""
        - path: /**
          allow:
            types: [service]
            roles: [deployer, admin]
            clientRoles: ["demo-app:writer"]
            emailDomains: ["@Example.com"]
        """).decide(HttpMethod.GET, "/x");
        Map<String, List<String>> writer = Map.of("demo-app", List.of("writer"));
        assertTrue(a.allows(id(Identity.Type.SERVICE, "bot@example.com", List.of("admin"), writer, List.of(), "c")));
        assertFalse(a.allows(id(Identity.Type.USER, "bot@example.com", List.of("admin"), writer, List.of(), "c")));
        assertFalse(a.allows(id(Identity.Type.SERVICE, "bot@evil.com", List.of("admin"), writer, List.of(), "c")));
        assertFalse(a.allows(id(Identity.Type.SERVICE, "bot@example.com", List.of("user"), writer, List.of(), "c")));
        assertFalse(a.allows(id(
                Identity.Type.SERVICE,
                "bot@example.com",
                List.of("admin"),
                Map.of("other", List.of("writer")),
                List.of(),
                "c")));
        assertFalse(a.allows(id(Identity.Type.SERVICE, null, List.of("admin"), writer, List.of(), "c")));
    }

    @Test
    void groupsClientsAndEmails() {
        Access a = policy("""
        - {path: /g, allow: {groups: [team/ops]}}
        - {path: /c, allow: {clients: [ci-bot]}}
        - {path: /e, allow: {emails: [Alice@Example.com]}}
        """).decide(HttpMethod.GET, "/g");
        assertTrue(a.allows(id(Identity.Type.USER, null, List.of(), Map.of(), List.of("/team/ops"), "x")));
        assertFalse(a.allows(id(Identity.Type.USER, null, List.of(), Map.of(), List.of("/team/dev"), "x")));
        Policy p = policy("""
        - {path: /c, allow: {clients: [ci-bot]}}
        - {path: /e, allow: {emails: [Alice@Example.com]}}
        """);
        assertTrue(p.decide(HttpMethod.GET, "/c")
                .allows(id(Identity.Type.SERVICE, null, List.of(), Map.of(), List.of(), "ci-bot")));
        assertFalse(p.decide(HttpMethod.GET, "/c")
                .allows(id(Identity.Type.SERVICE, null, List.of(), Map.of(), List.of(), "other")));
        assertTrue(p.decide(HttpMethod.GET, "/e")
                .allows(id(Identity.Type.USER, "alice@example.com", List.of(), Map.of(), List.of(), "x")));
    }

    /** HEAD runs the app's GET handler (RFC 9110 §9.3.2), so a rule written for GET judges HEAD too. */
    @Test
    void headIsJudgedAsGet() {
        Policy p = policy("""
        - {path: /reports/**, methods: [GET], allow: {roles: [reader]}}
        - {path: /reports/**, allow: public}
        """);
        Access forGet = p.decide(HttpMethod.GET, "/reports/x");
        assertSame(forGet, p.decide(HttpMethod.HEAD, "/reports/x"));
        assertFalse(forGet.isPublic());
        assertSame(Access.PUBLIC, p.decide(HttpMethod.POST, "/reports/x"), "other methods are not GET");
        assertSame(Access.PUBLIC, p.decide(HttpMethod.OPTIONS, "/reports/x"));
    }

    /** Methods are exact tokens: a lower-case request method never matches a rule (the screen refuses it first). */
    @Test
    void ruleMethodsAreExact() {
        Policy p = policy("- {path: /admin/**, methods: [delete], allow: {roles: [admin]}}");
        assertFalse(p.decide(HttpMethod.DELETE, "/admin/x").isPublic());
        assertSame(Access.AUTHENTICATED, p.decide(HttpMethod.valueOf("delete"), "/admin/x"));
    }

    @Test
    void pathsAreCaseSensitiveUnlessTheRuleSaysIgnoreCase() {
        Policy exact = policy("- {path: /admin/**, allow: {roles: [admin]}}\n- {path: /**, allow: public}");
        assertFalse(exact.decide(HttpMethod.GET, "/admin/x").isPublic());
        assertSame(Access.PUBLIC, exact.decide(HttpMethod.GET, "/ADMIN/x"), "RFC 3986: paths are case-sensitive");
        for (String spelling : new String[] {"ignoreCase: true", "ignore-case: true"}) {
            Policy folded = policy(
                    "- {path: /Admin/*.JSON, " + spelling + ", allow: {roles: [admin]}}\n- {path: /**, allow: public}");
            for (String path : new String[] {"/admin/a.json", "/ADMIN/A.JSON", "/aDmIn/x.Json"}) {
                assertFalse(folded.decide(HttpMethod.GET, path).isPublic(), path);
            }
            assertSame(Access.PUBLIC, folded.decide(HttpMethod.GET, "/admin/a/b.json"), "globs keep their meaning");
            assertTrue(folded.rules().get(0).ignoreCase());
        }
    }

    @Test
    void unknownRuleKeysAndNonTokenMethodsAreReported() {
        List<String> problems = new ArrayList<>();
        PolicyParser.parse(Harness.rules("""
        - {path: /a, ignorecase: true, allow: public}
        - {path: /b, method: [GET], allow: public}
        - {path: /c, methods: ["GE T", "G(T"], allow: public}
        - {path: /d, methods: [PROPFIND, m-search], allow: public}
        """), problems);
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("policy.rules[0].ignorecase: unknown key"), problems.get(0));
        assertTrue(problems.get(1).startsWith("policy.rules[1].method: unknown key"), problems.get(1));
    }

    @Test
    void badRulesAreReportedPerField() {
        List<String> problems = new ArrayList<>();
        PolicyParser.parse(Harness.rules("""
        - {path: x, allow: public}
        - {path: /y}
        - {path: /z, allow: {types: [robot], clientRoles: [nocolon]}}
        - {path: /e, allow: {emailDomains: [corp.com., "*.corp.com"], emails: [a@b@corp.com]}}
        """), problems);
        assertEquals(7, problems.size(), problems.toString());
    }
    /**
     * A rule path no normalised request path can ever match is dead: a restrictive rule written so would silently
     * leave its paths to the rules after it (or to {@code authenticated}). Refused at load, with the normal form.
     */
    @Test
    void rulePathsThatNoRequestCanMatchAreReported() {
        List<String> problems = new ArrayList<>();
        PolicyParser.parse(Harness.rules("""
        - {path: "/caf%c3%a9/**", allow: {roles: [admin]}}
        - {path: "/%7euser/**", allow: {roles: [admin]}}
        - {path: "/a//b", allow: {roles: [admin]}}
        - {path: "/a/./b/**", allow: {roles: [admin]}}
        - {path: "/café/**", allow: {roles: [admin]}}
        - {path: "/a;b", allow: {roles: [admin]}}
        - {path: "/a%2Fb", allow: {roles: [admin]}}
        """), problems);
        assertEquals(7, problems.size(), problems.toString());
        assertTrue(
                problems.get(0).startsWith("policy.rules[0].path: ")
                        && problems.get(0).contains("/caf%C3%A9/**"),
                problems.get(0));
        assertTrue(problems.get(1).contains("/~user/**"), problems.get(1));
        policy("""
        - {path: "/caf%C3%A9/**", allow: public}
        - {path: /**/*.json, allow: public}
        - {path: "/~user/*", ignoreCase: true, allow: public}
        - {path: /api/, allow: public}
        - {path: /, allow: public}
        - {path: /**, allow: authenticated}
        """);
    }
}
