package org.servicetokens.sidecar.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A private CA made in the test, and server certificates it signs, written as PEM files. */
final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    final String name;
    final KeyPair caKeys;
    final X509Certificate caCert;

    TestPki(String name) throws Exception {
        this.name = name;
        this.caKeys = keys();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        new X500Name("CN=" + name),
                        BigInteger.valueOf(SERIAL.incrementAndGet()),
                        Date.from(Instant.now().minus(1, ChronoUnit.HOURS)),
                        Date.from(Instant.now().plus(1, ChronoUnit.DAYS)),
                        new X500Name("CN=" + name),
                        caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.caCert = sign(builder, caKeys);
    }

    /** Writes the CA certificate to {@code file}. */
    Path writeCa(Path file) throws IOException {
        Files.writeString(file, pem(caCert));
        return file;
    }

    /** A server certificate for {@code dnsName} and 127.0.0.1, written to {@code cert} and {@code key}; returns its serial. */
    BigInteger issue(String dnsName, Path cert, Path key) throws Exception {
        KeyPair leaf = keys();
        BigInteger serial = BigInteger.valueOf(SERIAL.incrementAndGet());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        new X500Name("CN=" + name),
                        serial,
                        Date.from(Instant.now().minus(1, ChronoUnit.HOURS)),
                        Date.from(Instant.now().plus(1, ChronoUnit.DAYS)),
                        new X500Name("CN=" + dnsName),
                        leaf.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, dnsName), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
        Files.writeString(cert, pem(sign(builder, caKeys)));
        Files.writeString(key, pem(leaf.getPrivate()));
        return serial;
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(
                    o instanceof java.security.PrivateKey k
                            ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null)
                            : o);
        }
        return out.toString();
    }
}
