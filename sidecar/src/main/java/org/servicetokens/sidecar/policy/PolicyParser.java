package org.servicetokens.sidecar.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.util.HttpSyntax;

/**
 * {@code policy.rules} from config → {@link Policy}, with one message per bad rule field
 * ({@code policy.rules[2].allow.types: …}). Condition keys are accepted in the contract's camelCase
 * ({@code clientRoles}, {@code emailDomains}, {@code ignoreCase}) and in kebab-case like the rest of the file;
 * unknown keys are refused. Methods are any RFC 9110 §5.6.2 token, upper-cased.
 */
public final class PolicyParser {

    private PolicyParser() {}

    public static Policy parse(List<SidecarConfig.Rule> rules, List<String> problems) {
        List<PolicyRule> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            String key = "policy.rules[" + i + "]";
            SidecarConfig.Rule r = rules.get(i);
            if (r == null) {
                problems.add(key + ": must be a mapping with path and allow");
                continue;
            }
            int before = problems.size();
            if (r.path == null || !r.path.startsWith("/")) {
                problems.add(key + ".path: must start with '/', got '" + r.path + "'");
            } else {
                normalForm(key + ".path", r.path, problems);
            }
            for (String unknown : r.unknownKeys) {
                // A misspelt key (ignorecase, method) must not silently leave a rule weaker than it reads.
                problems.add(key + "." + unknown + ": unknown key (path, methods, ignoreCase, allow)");
            }
            Set<HttpMethod> methods = new HashSet<>();
            for (String m : r.methods == null ? List.<String>of() : r.methods) {
                // Written in any case here; requests must spell methods exactly (RFC 9110 §9.1), see RequestScreen.
                String up = m == null ? "" : m.toUpperCase(Locale.ROOT);
                if (!HttpSyntax.isToken(up)) {
                    problems.add(key + ".methods: '" + m + "' is not an HTTP method (RFC 9110 token)");
                } else {
                    methods.add(HttpMethod.valueOf(up));
                }
            }
            Access access = access(key + ".allow", r.allow, problems);
            if (problems.size() == before) {
                out.add(new PolicyRule(r.path, Set.copyOf(methods), access, r.ignoreCase));
            }
        }
        return new Policy(out);
    }

    /**
     * Rules match normalised paths ({@link PathNormalizer}; {@code *} is a plain path character there), so a pattern
     * not in normal form ({@code %7e}, lower-case hex, {@code //}, {@code .} segments) or one the normaliser refuses
     * (raw non-ASCII, {@code ;}, {@code %2F}) can never match: a restrictive rule written so would silently leave its
     * paths to the rules after it.
     */
    private static void normalForm(String key, String path, List<String> problems) {
        try {
            String normal = PathNormalizer.normalize(path);
            if (!normal.equals(path)) {
                problems.add(key + ": '" + path + "' is not a normalised path and would match nothing; write '" + normal
                        + "'");
            }
        } catch (PathNormalizer.AmbiguousPathException e) {
            problems.add(key + ": '" + path + "' can match no request path (" + e.getMessage() + ")");
        }
    }

    private static Access access(String key, JsonNode allow, List<String> problems) {
        if (allow == null || allow.isNull()) {
            problems.add(key + ": required (public, authenticated or a mapping of conditions)");
            return null;
        }
        if (allow.isTextual()) {
            switch (allow.asText()) {
                case "public":
                    return Access.PUBLIC;
                case "authenticated":
                    return Access.AUTHENTICATED;
                default:
                    problems.add(key + ": must be public, authenticated or a mapping, got '" + allow.asText() + "'");
                    return null;
            }
        }
        if (!allow.isObject()) {
            problems.add(key + ": must be public, authenticated or a mapping of conditions");
            return null;
        }
        Set<Identity.Type> types = Set.of();
        Set<String> roles = Set.of();
        Map<String, Set<String>> clientRoles = Map.of();
        Set<String> groups = Set.of();
        Set<String> clients = Set.of();
        Set<String> emails = Set.of();
        Set<String> domains = Set.of();
        Iterator<Map.Entry<String, JsonNode>> it = allow.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = e.getKey();
            String fkey = key + "." + field;
            switch (field) {
                case "types" ->
                    types = strings(fkey, e.getValue(), problems, t -> switch (t) {
                        case "user" -> Identity.Type.USER;
                        case "service" -> Identity.Type.SERVICE;
                        default -> {
                            problems.add(fkey + ": must be user or service, got '" + t + "'");
                            yield null;
                        }
                    });
                case "roles" -> roles = strings(fkey, e.getValue(), problems, Function.identity());
                case "clientRoles", "client-roles" -> clientRoles = clientRoles(fkey, e.getValue(), problems);
                case "groups" -> groups = strings(fkey, e.getValue(), problems, Access::groupKey);
                case "clients" -> clients = strings(fkey, e.getValue(), problems, Function.identity());
                case "emails" ->
                    emails = strings(fkey, e.getValue(), problems, s -> EmailAddresses.ruleAddress(s, fkey, problems));
                case "emailDomains", "email-domains" ->
                    domains = strings(fkey, e.getValue(), problems, s -> EmailAddresses.ruleDomain(s, fkey, problems));
                default ->
                    problems.add(fkey
                            + ": unknown condition (types, roles, clientRoles, groups, clients, emails, emailDomains)");
            }
        }
        return new Access(Access.Kind.CONDITIONS, types, roles, clientRoles, groups, clients, emails, domains);
    }

    private static <T> Set<T> strings(String key, JsonNode node, List<String> problems, Function<String, T> map) {
        Set<T> out = new HashSet<>();
        if (node.isTextual()) {
            add(out, map.apply(node.asText()));
            return out;
        }
        if (!node.isArray()) {
            problems.add(key + ": must be a list of strings");
            return out;
        }
        for (JsonNode n : node) {
            if (!n.isValueNode() || n.isNull()) {
                problems.add(key + ": must be a list of strings");
            } else {
                add(out, map.apply(n.asText()));
            }
        }
        return out;
    }

    private static <T> void add(Set<T> set, T value) {
        if (value != null) {
            set.add(value);
        }
    }

    /** Either {@code {client-id: [role, …]}} or a list of {@code "client-id:role"}. */
    private static Map<String, Set<String>> clientRoles(String key, JsonNode node, List<String> problems) {
        Map<String, Set<String>> out = new HashMap<>();
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(e -> out.put(
                            e.getKey(), strings(key + "." + e.getKey(), e.getValue(), problems, Function.identity())));
            return out;
        }
        for (String s : strings(key, node, problems, Function.identity())) {
            int colon = s.indexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                problems.add(key + ": '" + s + "' must be written client-id:role");
            } else {
                out.computeIfAbsent(s.substring(0, colon), k -> new HashSet<>()).add(s.substring(colon + 1));
            }
        }
        return out;
    }
}
