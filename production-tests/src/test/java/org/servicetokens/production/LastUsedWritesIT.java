package org.servicetokens.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.servicetokens.production.harness.Cluster;

/**
 * Last-used costs at most one database write per node per minute, however often a token is used: counted by a
 * trigger on Keycloak's client attributes table while both nodes flush every second.
 */
class LastUsedWritesIT {

    private final Cluster cluster = Cluster.get();

    @Test
    void manyUsesOnBothNodesCostAtMostOneWritePerNode() throws Exception {
        cluster.postgres.psql("""
                create table if not exists test_last_used_writes (client_id varchar(36), op text, at timestamptz default now());
                create or replace function test_log_last_used() returns trigger language plpgsql security definer as $$
                begin
                  if new.name = 'service-token.last-used-at' then
                    insert into test_last_used_writes (client_id, op) values (new.client_id, tg_op);
                  end if;
                  return new;
                end $$;
                -- Runs with the rights of its owner (the superuser), so Keycloak's own writes can fill the table.
                drop trigger if exists test_last_used_audit on client_attributes;
                create trigger test_last_used_audit after insert or update on client_attributes
                  for each row execute function test_log_last_used();
                """);
        try {
            JsonNode token = cluster.api(cluster.lb.url()).create("busy-bot", "P365D", List.of());
            String clientId = token.get("clientId").asText();
            String secret = token.get("clientSecret").asText();
            int uses = 0;
            long until = System.currentTimeMillis() + 12_000;
            while (System.currentTimeMillis() < until) {
                String node = uses % 2 == 0 ? cluster.a.url() : cluster.b.url();
                assertEquals(200, cluster.https.exchange(node, clientId, secret).status());
                uses++;
            }
            Thread.sleep(3_000); // a few more flushes on each node
            int writes = writes(token.get("id").asText());
            System.out.println("Last-used: " + uses + " uses over 12 s on two nodes cost " + writes + " write(s)");
            assertTrue(writes >= 1, "the use was recorded");
            assertTrue(writes <= 2, "at most one write per node per minute, got " + writes);
            JsonNode read = cluster.api(cluster.lb.url())
                    .call("GET", "/" + token.get("id").asText(), null)
                    .json();
            assertTrue(read.hasNonNull("lastUsedAt"), read.toString());
        } finally {
            cluster.postgres.psql("drop trigger if exists test_last_used_audit on client_attributes;"
                    + " drop function if exists test_log_last_used(); drop table if exists test_last_used_writes;");
        }
    }

    private int writes(String tokenId) {
        // The token id is a UUID Keycloak made; read as the superuser who owns the table.
        return Integer.parseInt(cluster.postgres
                .psql("select count(*) from test_last_used_writes where client_id = '"
                        + tokenId.replaceAll("[^0-9a-f-]", "") + "'")
                .trim());
    }
}
