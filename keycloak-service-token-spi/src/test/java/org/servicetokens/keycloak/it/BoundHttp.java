package org.servicetokens.keycloak.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A token request from a chosen local address, so the server sees that client address (java.net.http cannot bind
 * its socket). Plain HTTP/1.0 over a socket bound to {@code localAddress} (on Linux every 127.0.0.0/8 address is a
 * loopback address, so 127.0.0.2 reaches a server on 127.0.0.1): HTTP/1.0 keeps the answer unchunked and the
 * connection closed after it.
 */
final class BoundHttp {

    private BoundHttp() {}

    /** client_credentials with client_secret_basic from {@code localAddress}; the reply as {@link Http.Reply} (no headers). */
    static Http.Reply clientCredentials(
            String localAddress, String realmUrl, String clientId, String secret, String userAgent) {
        URI uri = URI.create(realmUrl + "/protocol/openid-connect/token");
        String basic = Base64.getEncoder()
                .encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                                + URLEncoder.encode(secret, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
        byte[] body = "grant_type=client_credentials".getBytes(StandardCharsets.US_ASCII);
        String head = "POST " + uri.getRawPath() + " HTTP/1.0\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Authorization: Basic " + basic + "\r\n"
                + "User-Agent: " + userAgent + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String reply = all.toString(StandardCharsets.UTF_8);
            int end = reply.indexOf("\r\n\r\n");
            if (!reply.startsWith("HTTP/1.") || end < 0) {
                throw new AssertionError("not an HTTP reply (" + reply.length() + " characters)");
            }
            int status = Integer.parseInt(reply.substring(9, 12));
            return new Http.Reply(status, reply.substring(end + 4), null);
        } catch (IOException e) {
            throw new AssertionError("token request from " + localAddress + " failed: " + e, e);
        }
    }
}
