package org.servicetokens.sidecar.policy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
