package org.servicetokens.sidecar.jwt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.servicetokens.sidecar.identity.Identity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keycloak access-token claims → {@link Identity}. Tolerant of missing optional claims, strict on types. */
final class Claims {

  private Claims() {
  }

  static Identity toIdentity(JsonObject c, String token) {
    String username = str(c, "preferred_username");
    JsonObject serviceToken = c.getValue("service_token") instanceof JsonObject o ? o : null;
    boolean service = serviceToken != null || c.containsKey("client_id")
        || (username != null && username.startsWith("service-account-"));
    Map<String, List<String>> clientRoles = new LinkedHashMap<>();
    if (c.getValue("resource_access") instanceof JsonObject ra) {
      for (String client : ra.fieldNames()) {
        if (ra.getValue(client) instanceof JsonObject entry) {
          clientRoles.put(client, strings(entry.getValue("roles")));
        }
      }
    }
    List<String> roles = c.getValue("realm_access") instanceof JsonObject realm ? strings(realm.getValue("roles")) : List.of();
    return new Identity(
        service ? Identity.Type.SERVICE : Identity.Type.USER,
        str(c, "sub"),
        username,
        str(c, "email"),
        str(c, "azp"),
        serviceToken == null ? null : str(serviceToken, "id"),
        serviceToken == null ? null : str(serviceToken, "name"),
        roles,
        Map.copyOf(clientRoles),
        strings(c.getValue("groups")),
        c.getValue("iat") instanceof Number n ? n.longValue() : 0L,
        ((Number) c.getValue("exp")).longValue(),
        token);
  }

  static String str(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v instanceof String s ? s : v instanceof Number n ? n.toString() : null;
  }

  static List<String> strings(Object v) {
    if (v instanceof String s) {
      return List.of(s);
    }
    if (!(v instanceof JsonArray a)) {
      return List.of();
    }
    List<String> out = new ArrayList<>(a.size());
    for (Object o : a) {
      if (o instanceof String s) {
        out.add(s);
      }
    }
    return List.copyOf(out);
  }
}
