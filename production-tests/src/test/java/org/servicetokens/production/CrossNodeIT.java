package org.servicetokens.production;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.servicetokens.production.harness.Cluster;
import org.servicetokens.production.harness.Https;

/** A token made through one node works on the other at once: nothing about a token lives in one node's memory. */
class CrossNodeIT {

    private final Cluster cluster = Cluster.get();

    @Test
    void tokenCreatedOnNodeAIsExchangedAtNodeBAtOnce() throws Exception {
        JsonNode token = cluster.api(cluster.a.url()).create("cross-node", "P30D", List.of("demo-app"));
        Https.Response exchanged = cluster.https.exchange(
                cluster.b.url(),
                token.get("clientId").asText(),
                token.get("clientSecret").asText());
        assertEquals(200, exchanged.status(), "exchange at node B right after the create on node A");
        // The issuer is the load balancer's URL, whichever node minted the JWT.
        String payload = new String(
                java.util.Base64.getUrlDecoder()
                        .decode(exchanged.json().get("access_token").asText().split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(
                cluster.lb.url() + "/realms/" + Cluster.REALM,
                Https.JSON.readTree(payload).get("iss").asText());

        // And a delete through node B is refused at node A at once.
        assertEquals(
                204,
                cluster.api(cluster.b.url())
                        .call("DELETE", "/" + token.get("id").asText(), null)
                        .status());
        assertEquals(
                401,
                cluster.https
                        .exchange(
                                cluster.a.url(),
                                token.get("clientId").asText(),
                                token.get("clientSecret").asText())
                        .status());
    }
}
