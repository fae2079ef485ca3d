package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.portcullis.spi.KeyRecord;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** No public type prints a secret (checklist H43; DESIGN §2 last bullet). */
class NoSecretsInToStringTest {

    @Test
    void noPublicTypePrintsATokenPasswordOrHash() {
        Fixtures f = new Fixtures();
        IssuedKey k = f.key();
        IssuedKey p = f.keys().createSmtpCredential(KeySpec.builder()
                .account("acme").username("postmaster@example.com").allowHttp().build());
        KeyRecord keyRecord = f.store.findById(k.id()).orElseThrow();
        KeyRecord loginRecord = f.store.findById(p.id()).orElseThrow();
        String header = Fixtures.basic("api", k.token());
        AuthRequest request = AuthRequest.http(header, "203.0.113.7").require("messages:send", "example.com");
        AuthResult allowed = f.auth().authenticate(request);
        AuthResult login = f.auth().authenticate(AuthRequest.http(Fixtures.basic(p.username(), p.password()), "203.0.113.7"));

        List<Object> printed = new ArrayList<>(List.of(k, p, keyRecord, loginRecord, request, allowed, allowed.principal(),
                login, login.principal(), k.info(), p.info(), f.portcullis, allowed.http(), allowed.smtp()));
        printed.addAll(f.events);
        List<String> secrets = List.of(
                k.token().substring(16, 48), // the secret part
                p.password(),
                header.substring(6),
                keyRecord.secretHash().substring(7, 30),
                loginRecord.secretHash().substring(30, 50));
        for (Object o : printed) {
            String s = String.valueOf(o);
            for (String secret : secrets) {
                for (int i = 0; i + 8 <= secret.length(); i++) {
                    assertFalse(s.contains(secret.substring(i, i + 8)), o.getClass().getSimpleName() + " printed a secret: " + s);
                }
            }
        }
    }
}
