package org.servicetokens.sidecar.jwt;

import org.servicetokens.sidecar.identity.Identity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokens this verticle has already verified, keyed by SHA-256 of the token, kept until their exp (DESIGN §4:
 * one RS256 check costs ~40 µs; a hash lookup takes it off the hot path). Bounded LRU; confined to one event
 * loop, hence no locking. Revocation is checked by the caller on every use, hits included.
 */
final class VerifiedTokens {

  private final int capacity;
  private final LinkedHashMap<String, Identity> map;

  VerifiedTokens(int capacity) {
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Identity> eldest) {
        return size() > VerifiedTokens.this.capacity;
      }
    };
  }

  Identity get(String hash, long nowSeconds, long leewaySeconds) {
    if (capacity == 0) {
      return null;
    }
    Identity id = map.get(hash);
    if (id != null && nowSeconds > id.expiresAt() + leewaySeconds) {
      map.remove(hash);
      return null;
    }
    return id;
  }

  void put(String hash, Identity identity) {
    if (capacity > 0) {
      map.put(hash, identity);
    }
  }

  void remove(String hash) {
    map.remove(hash);
  }

  void clear() {
    map.clear();
  }

  int size() {
    return map.size();
  }
}
