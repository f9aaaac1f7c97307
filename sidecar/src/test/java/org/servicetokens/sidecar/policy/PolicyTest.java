package org.servicetokens.sidecar.policy;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.support.Harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTest {

  private static Policy policy(String yaml) {
    List<String> problems = new ArrayList<>();
    Policy p = PolicyParser.parse(Harness.rules(yaml), problems);
    assertTrue(problems.isEmpty(), problems.toString());
    return p;
  }

  private static Identity id(Identity.Type type, String email, List<String> roles, Map<String, List<String>> clientRoles,
                             List<String> groups, String client) {
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
    assertFalse(a.allows(id(Identity.Type.SERVICE, "bot@example.com", List.of("admin"), Map.of("other", List.of("writer")), List.of(), "c")));
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
    assertTrue(p.decide(HttpMethod.GET, "/c").allows(id(Identity.Type.SERVICE, null, List.of(), Map.of(), List.of(), "ci-bot")));
    assertFalse(p.decide(HttpMethod.GET, "/c").allows(id(Identity.Type.SERVICE, null, List.of(), Map.of(), List.of(), "other")));
    assertTrue(p.decide(HttpMethod.GET, "/e").allows(id(Identity.Type.USER, "alice@example.com", List.of(), Map.of(), List.of(), "x")));
  }

  @Test
  void badRulesAreReportedPerField() {
    List<String> problems = new ArrayList<>();
    PolicyParser.parse(Harness.rules("""
        - {path: x, allow: public}
        - {path: /y}
        - {path: /z, allow: {types: [robot], clientRoles: [nocolon]}}
        """), problems);
    assertEquals(4, problems.size(), problems.toString());
  }
}
