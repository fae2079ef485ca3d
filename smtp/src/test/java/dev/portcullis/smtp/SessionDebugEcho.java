package dev.portcullis.smtp;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;

/**
 * Run in a child JVM by {@link LoggingTest}, with SubEthaSMTP's Session logger at DEBUG: sends
 * one AUTH PLAIN, then prints the blob it sent, so the parent can look for it in the child's log.
 */
public final class SessionDebugEcho {
    private SessionDebugEcho() {}

    public static void main(String[] args) throws Exception {
        try (TestServer t = new TestServer(SmtpOptions.builder().insecurePlaintextAuth().build(),
                Portcullis.Builder::insecureAllowSaslWithoutTls)) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").build());
            String blob = Wire.plain("api", key.token());
            try (Wire w = Wire.connect(t.port())) {
                w.ask("EHLO probe.test");
                w.ask("AUTH PLAIN " + blob);
                w.ask("QUIT");
            }
            System.out.println(blob);
        }
    }
}
