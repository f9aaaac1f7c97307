package org.servicetokens.sidecar.policy;

import io.vertx.core.http.HttpMethod;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One rule: a path pattern over normalised paths ({@code *} = within one segment, {@code **} = any number
 * of segments, so {@code /api/**} matches {@code /api} and everything below), optional methods, and what
 * it allows.
 */
public record PolicyRule(String path, Pattern regex, Set<HttpMethod> methods, Access access) {

  public boolean matches(HttpMethod method, String normalizedPath) {
    return (methods.isEmpty() || methods.contains(method)) && regex.matcher(normalizedPath).matches();
  }

  static Pattern compile(String glob) {
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
    return Pattern.compile(re.toString());
  }
}
