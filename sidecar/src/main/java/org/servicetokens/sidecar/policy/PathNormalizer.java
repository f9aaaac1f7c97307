package org.servicetokens.sidecar.policy;

/**
 * Canonical form of a request path, computed once and used both for policy matching and as the path sent
 * upstream, so the app can never see a path the policy did not judge. Unreserved characters written as
 * percent escapes are decoded, {@code //} collapses, {@code .}/{@code ..} segments resolve. Anything whose
 * meaning depends on who decodes it ({@code %2F}, any encoded dot, {@code %5C} or a backslash, control
 * characters, double encoding, malformed escapes, {@code ..} above the root) is refused.
 */
public final class PathNormalizer {

  private PathNormalizer() {
  }

  /** Thrown for paths that must be answered with 400; the message is a short machine-readable reason. */
  public static final class AmbiguousPathException extends Exception {
    public AmbiguousPathException(String reason) {
      super(reason, null, false, false);
    }
  }

  public static String normalize(String rawPath) throws AmbiguousPathException {
    boolean absolute = rawPath != null && !rawPath.isEmpty() && rawPath.charAt(0) == '/';
    return absolute && isAlreadyCanonical(rawPath) ? rawPath : normalizeFully(rawPath);
  }

  static String normalizeFully(String rawPath) throws AmbiguousPathException {
    if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw new AmbiguousPathException("path_not_absolute");
    }
    StringBuilder decoded = new StringBuilder(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '\\') {
        throw new AmbiguousPathException("backslash_in_path");
      }
      if (c < 0x21 || c == 0x7f) {
        throw new AmbiguousPathException("control_character_in_path");
      }
      if (c == ';') {
        // Path parameters (";jsessionid=…", "/..;/") are read differently by Tomcat, Jetty and friends.
        throw new AmbiguousPathException("path_parameter");
      }
      if (c != '%') {
        decoded.append(c);
        continue;
      }
      if (i + 2 >= rawPath.length() || hex(rawPath.charAt(i + 1)) < 0 || hex(rawPath.charAt(i + 2)) < 0) {
        throw new AmbiguousPathException("malformed_percent_encoding");
      }
      int v = hex(rawPath.charAt(i + 1)) * 16 + hex(rawPath.charAt(i + 2));
      i += 2;
      if (v == '/' || v == '\\' || v == '.' || v == ';' || v < 0x20 || v == 0x7f) {
        throw new AmbiguousPathException("ambiguous_encoding");
      }
      if (v == '%' && i + 2 < rawPath.length() && hex(rawPath.charAt(i + 1)) >= 0 && hex(rawPath.charAt(i + 2)) >= 0) {
        throw new AmbiguousPathException("double_encoding");
      }
      if (isUnreserved(v)) {
        decoded.append((char) v);
      } else {
        decoded.append('%').append(Character.toUpperCase(rawPath.charAt(i - 1)))
            .append(Character.toUpperCase(rawPath.charAt(i)));
      }
    }
    return removeDotSegments(decoded.toString());
  }

  /**
   * Most paths need no work: nothing encoded or suspicious, no empty or dot segment. For those the full
   * normalisation below returns its input unchanged, so it is skipped (the tests hold both to the same answers).
   */
  public static boolean isAlreadyCanonical(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x21 || c == 0x7f || c == '%' || c == '\\' || c == ';') {
        return false;
      }
      if (c == '/' && i + 1 < path.length() && (path.charAt(i + 1) == '/' || path.charAt(i + 1) == '.')) {
        return false;
      }
    }
    return true;
  }

  private static String removeDotSegments(String path) throws AmbiguousPathException {
    String[] parts = path.split("/", -1);
    String[] out = new String[parts.length];
    int n = 0;
    for (int i = 1; i < parts.length; i++) {
      String seg = parts[i];
      boolean last = i == parts.length - 1;
      if (seg.equals(".")) {
        if (last) {
          out[n++] = "";
        }
      } else if (seg.equals("..")) {
        if (n == 0) {
          throw new AmbiguousPathException("path_escapes_root");
        }
        n--;
        if (last) {
          out[n++] = "";
        }
      } else if (seg.isEmpty() && !last) {
        // "//" collapses: most servers treat it as "/", some do not, so only one form goes upstream.
        continue;
      } else {
        out[n++] = seg;
      }
    }
    StringBuilder sb = new StringBuilder(path.length());
    for (int i = 0; i < n; i++) {
      sb.append('/').append(out[i]);
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
