package org.servicetokens.sidecar.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PathNormalizerTest {

  @ParameterizedTest
  @CsvSource({
      "/, /",
      "/a/b, /a/b",
      "//admin, /admin",
      "/a//b///c, /a/b/c",
      "/a/./b, /a/b",
      "/a/b/.., /a/",
      "/a/b/../c, /a/c",
      "/public/../admin, /admin",
      "/a/, /a/",
      "/%41%7e%2d%5F, /A~-_",
      "/a%20b, /a%20b",
      "/a%3fb, /a%3Fb",
      "/caf%C3%A9, /caf%C3%A9",
      "/a/b/./, /a/b/"})
  void normalises(String raw, String expected) throws Exception {
    assertEquals(expected, PathNormalizer.normalize(raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/public/..%2fadmin", "/a%2Fb", "/public/%2e%2e/admin", "/%2E", "/a%5cb", "/a\\b",
      "/a%00", "/a%0d%0a", "/a%7f", "/..", "/a/../..", "/a;b", "/..;/x", "/%252e", "/%2", "/%zz", "relative",
      "", "/a b", "/a\tb", "/a%3b"})
  void refusesAmbiguous(String raw) {
    assertThrows(PathNormalizer.AmbiguousPathException.class, () -> PathNormalizer.normalize(raw));
  }

  /** The shortcut for already-canonical paths must give the full normalisation's answer on every input. */
  @Test
  void shortcutAgreesWithFullNormalisation() {
    char[] alphabet = {'/', '/', '/', '.', '.', 'a', 'b', '%', '2', 'e', 'F', ';', '\\', ' ', '\u00e9', '~', '?'};
    java.util.Random random = new java.util.Random(42);
    int shortcuts = 0;
    for (int n = 0; n < 200_000; n++) {
      StringBuilder sb = new StringBuilder("/");
      int length = random.nextInt(10);
      for (int i = 0; i < length; i++) {
        sb.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String path = sb.toString();
      String full;
      try {
        full = PathNormalizer.normalizeFully(path);
      } catch (PathNormalizer.AmbiguousPathException e) {
        full = "refused:" + e.getMessage();
      }
      String fast;
      try {
        fast = PathNormalizer.normalize(path);
      } catch (PathNormalizer.AmbiguousPathException e) {
        fast = "refused:" + e.getMessage();
      }
      assertEquals(full, fast, path);
      if (PathNormalizer.isAlreadyCanonical(path)) {
        shortcuts++;
      }
    }
    assertTrue(shortcuts > 10_000, "the corpus exercises the shortcut: " + shortcuts);
  }
}
