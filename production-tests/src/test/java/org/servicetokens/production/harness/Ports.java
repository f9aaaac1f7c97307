package org.servicetokens.production.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports on 127.0.0.1 in 18000-18999, the range this harness may use, never the same one twice. */
public final class Ports {

    private static final int FIRST = 18000;
    private static final int COUNT = 1000;
    private static final Set<Integer> GIVEN = new HashSet<>();

    private Ports() {}

    public static synchronized int free() {
        int start = ThreadLocalRandom.current().nextInt(COUNT);
        for (int i = 0; i < COUNT; i++) {
            int port = FIRST + (start + i) % COUNT;
            // JGroups failure detection also listens at bind port + 100 (see KeycloakNode): keep that one free too.
            if (GIVEN.contains(port) || GIVEN.contains(port - 100) || GIVEN.contains(port + 100)) {
                continue;
            }
            if (bindable(port) && (port + 100 >= FIRST + COUNT || bindable(port + 100))) {
                GIVEN.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port in 18000-18999");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
