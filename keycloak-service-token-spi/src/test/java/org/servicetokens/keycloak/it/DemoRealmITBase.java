package org.servicetokens.keycloak.it;

import org.junit.jupiter.api.BeforeEach;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * An integration test on the demo realm (imported from realm-config/demo-realm.json once per test class), with
 * the service-token API of that realm ready in {@link #api} before each test.
 */
public abstract class DemoRealmITBase extends ServiceTokenITBase {

    @InjectRealm(fromJson = "/demo-realm.json")
    protected ManagedRealm realm;

    /** The demo realm's service-token API, called as the framework's admin. */
    protected TokenApi api;

    @BeforeEach
    void connectTokenApi() {
        api = tokenApi(realm.getName());
    }
}
