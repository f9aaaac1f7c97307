package org.servicetokens.sidecar.policy;

import io.vertx.core.http.HttpMethod;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One rule: a path pattern over normalised paths ({@code *} = within one segment, {@code **} = any number
 * of segments, so {@code /api/**} matches {@code /api} and everything below), optional methods, and what
 * it allows. A rule listing GET also matches HEAD: servers answer HEAD with their GET handler (RFC 9110 §9.3.2),
 * so a HEAD must be judged by the rules written for GET. With {@code ignoreCase} the pattern matches ASCII
 * letters in any case (for apps whose router does, like IIS, ASP.NET or Express by default); percent-encoded
 * bytes are compared as written after normalisation, so non-ASCII letters are not case-folded.
 */
public record PolicyRule(String path, Pattern regex, Set<HttpMethod> methods, Access access, boolean ignoreCase) {

    public PolicyRule(String path, Set<HttpMethod> methods, Access access, boolean ignoreCase) {
        this(path, compile(path, ignoreCase), methods, access, ignoreCase);
    }

    public boolean matches(HttpMethod method, String normalizedPath) {
        return appliesTo(method) && regex.matcher(normalizedPath).matches();
    }

    private boolean appliesTo(HttpMethod method) {
        return methods.isEmpty()
                || methods.contains(method)
                || (HttpMethod.HEAD.equals(method) && methods.contains(HttpMethod.GET));
    }

    static Pattern compile(String glob, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (glob.startsWith("/**", i) && (i + 3 == glob.length() || glob.charAt(i + 3) == '/')) {
                re.append("(?:/.*)?");
                i += 3;
            } else if (glob.startsWith("**", i)) {
                re.append(".*");
                i += 2;
            } else if (c == '*') {
                re.append("[^/]*");
                i++;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        // Paths are ASCII once normalised: ASCII case folding is exactly what such routers do.
        return Pattern.compile(re.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
    }
}
