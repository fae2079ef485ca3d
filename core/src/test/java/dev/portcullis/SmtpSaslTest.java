package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import dev.portcullis.SaslExchange.SaslStep;

/** SMTP AUTH through the whole pipeline (RFC 4954, RFC 4616, draft-murchison-sasl-login; checklist C–E). */
class SmtpSaslTest {
    private static final String CLIENT = "203.0.113.7";
    private final Fixtures f = new Fixtures(CredentialStore.inMemory(),
            Portcullis.builder().keyUsernames("api", "SMTP_Injection", "apikey"), Runnable::run);
    private final IssuedKey login = f.keys().createSmtpCredential(KeySpec.builder()
            .account("acme").username("postmaster@example.com").grant("messages:send", "example.com").build());

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private SaslStep plain(String authzid, String user, String password) {
        return f.auth().sasl("PLAIN", CLIENT, true).respond(b64(authzid + "\0" + user + "\0" + password));
    }

    private long argon2Runs() {
        return f.portcullis.wiring.hasher().runs();
    }

    @Test
    void plainWithAndWithoutInitialResponse() {
        SaslStep s = plain("", login.username(), login.password());
        assertTrue(s.done());
        assertTrue(s.result().allowed());
        assertEquals("235 2.7.0 Authentication successful", s.reply().line());
        assertEquals(login.id(), s.result().principal().keyId());
        assertEquals(Channel.SMTP, f.lastEvent().channel());

        SaslExchange x = f.auth().sasl("plain", CLIENT, true);
        SaslStep challenge = x.respond(null);
        assertFalse(challenge.done());
        assertEquals("", challenge.challenge(), "PLAIN's empty challenge: '334 '");
        assertEquals("334 ", challenge.reply().line());
        SaslStep done = x.respond(b64(login.username() + "\0" + login.username() + "\0" + login.password()));
        assertTrue(done.result().allowed(), "authzid equal to authcid is fine");
    }

    @Test
    void rfc4616Example2IsRefused() {
        // "Ursel" asks to act as "Kurt": not authorized to requested authorization identity.
        SaslStep s = f.auth().sasl("PLAIN", CLIENT, true).respond("VXJzZWwAS3VydAB4aXBqM3BsbXE=");
        assertFalse(s.result().allowed());
        assertEquals("535 5.7.8", s.reply().code() + " " + s.reply().enhanced());
        assertEquals("AUTHZID_MISMATCH", f.lastEvent().detail());
        SaslStep forLogin = plain("someone@example.com", login.username(), login.password());
        assertFalse(forLogin.result().allowed(), "even with the right password");
    }

    @Test
    void loginWithAndWithoutInitialResponse() {
        SaslExchange x = f.auth().sasl("LOGIN", CLIENT, true);
        SaslStep user = x.respond(null);
        assertEquals("VXNlcm5hbWU6", user.challenge()); // "Username:"
        SaslStep pass = x.respond(b64(login.username()));
        assertEquals("UGFzc3dvcmQ6", pass.challenge()); // "Password:"
        assertTrue(x.respond(b64(login.password())).result().allowed());

        SaslExchange ir = f.auth().sasl("LOGIN", CLIENT, true);
        SaslStep p2 = ir.respond(b64(login.username())); // checklist D20: the initial response is the username
        assertEquals("UGFzc3dvcmQ6", p2.challenge());
        SaslStep end = ir.respond(b64(login.password()));
        assertTrue(end.result().allowed());
        assertEquals(235, end.reply().code());
    }

    @Test
    void apiKeysAreAcceptedAsThePasswordOfKeyUsernames() {
        IssuedKey k = f.key();
        for (String keyUser : new String[] {"api", "SMTP_Injection", "apikey"}) {
            SaslStep s = plain("", keyUser, k.token());
            assertTrue(s.result().allowed(), keyUser);
            assertEquals(k.id(), s.result().principal().keyId());
            SaslExchange x = f.auth().sasl("LOGIN", CLIENT, true);
            x.respond(b64(keyUser));
            assertTrue(x.respond(b64(k.token())).result().allowed());
        }
        IssuedKey httpOnly = f.keys().create(KeySpec.builder().account("acme").channels(Channel.HTTP).build());
        assertEquals(DenyReason.PERMISSION_DENIED, plain("", "api", httpOnly.token()).result().reason());
        assertEquals(DenyReason.UNKNOWN_KEY, plain("", "api", "not a key").result().reason());
    }

    @Test
    void unknownUserAndWrongPasswordLookAndCostTheSame() {
        long before = argon2Runs();
        SaslStep wrong = plain("", login.username(), login.password() + "x");
        long wrongRuns = argon2Runs() - before;
        before = argon2Runs();
        SaslStep unknown = plain("", "nobody@example.com", login.password());
        long unknownRuns = argon2Runs() - before;
        before = argon2Runs();
        SaslStep notAnAddress = plain("", "no address at all", login.password());
        long oddRuns = argon2Runs() - before;

        assertEquals(1, wrongRuns, "one Argon2 verification for a wrong password");
        assertEquals(1, unknownRuns, "and one, with the default parameters, for an unknown user");
        assertEquals(1, oddRuns);
        assertEquals(wrong.reply(), unknown.reply());
        assertEquals(wrong.reply(), notAnAddress.reply());
        assertEquals("535 5.7.8 Authentication credentials invalid", wrong.reply().line());
        assertEquals(DenyReason.WRONG_SECRET, wrong.result().reason());
        assertEquals(DenyReason.UNKNOWN_KEY, unknown.result().reason());
    }

    @Test
    void aSuccessfulLoginIsCachedUntilThePasswordChanges() {
        assertTrue(plain("", login.username(), login.password()).result().allowed());
        long before = argon2Runs();
        for (int i = 0; i < 20; i++) {
            assertTrue(plain("", login.username(), login.password()).result().allowed());
        }
        assertEquals(0, argon2Runs() - before, "cached logins cost an HMAC, not Argon2");

        KeyRecord r = f.store.findById(login.id()).orElseThrow();
        f.store.save(r.toBuilder().secretHash(f.portcullis.wiring.hasher().hash("a brand new password")).build(), r.version());
        before = argon2Runs();
        SaslStep old = plain("", login.username(), login.password());
        assertEquals(DenyReason.WRONG_SECRET, old.result().reason(), "the cached login died with the old password");
        assertEquals(1, argon2Runs() - before);
        assertTrue(plain("", login.username(), "a brand new password").result().allowed());
    }

    @Test
    void revocationAndSuspensionBeatTheLoginCache() {
        assertTrue(plain("", login.username(), login.password()).result().allowed());
        f.keys().suspend("acme");
        assertEquals(DenyReason.ACCOUNT_SUSPENDED, plain("", login.username(), login.password()).result().reason());
        f.keys().resume("acme");
        assertTrue(plain("", login.username(), login.password()).result().allowed());
        f.keys().revoke(login.id());
        assertEquals(DenyReason.REVOKED, plain("", login.username(), login.password()).result().reason());
    }

    @Test
    void plaintextIsRefusedWithoutTls() {
        SaslStep s = f.auth().sasl("PLAIN", CLIENT, false).respond(b64("\0" + login.username() + "\0" + login.password()));
        assertTrue(s.done());
        assertFalse(s.result().allowed());
        assertEquals("538 5.7.11", s.reply().code() + " " + s.reply().enhanced());
        assertEquals("TLS_REQUIRED", f.lastEvent().detail());
        assertFalse(f.auth().sasl("LOGIN", CLIENT, false).respond(null).result().allowed());

        Fixtures insecure = new Fixtures(CredentialStore.inMemory(), Portcullis.builder().insecureAllowSaslWithoutTls(), Runnable::run);
        IssuedKey k = insecure.key();
        assertTrue(insecure.auth().sasl("PLAIN", CLIENT, false).respond(b64("\0api\0" + k.token())).result().allowed());
    }

    @Test
    void protocolOutcomesHaveTheirRfc4954Replies() {
        assertEquals("501 5.7.0", reply(f.auth().sasl("LOGIN", CLIENT, true), null, "*"));
        assertEquals("500 5.5.6", reply(f.auth().sasl("PLAIN", CLIENT, true), "A".repeat(12292)));
        assertEquals("501 5.5.2", reply(f.auth().sasl("PLAIN", CLIENT, true), "=AAA"));
        assertEquals("504 5.5.4", reply(f.auth().sasl("CRAM-MD5", CLIENT, true), (String) null));
        SaslExchange x = f.auth().sasl("PLAIN", CLIENT, true);
        SaslStep end = x.respond(b64("\0" + login.username() + "\0" + login.password()));
        int events = f.events.size();
        assertEquals(end, x.respond("anything"), "a finished exchange answers as it did");
        assertEquals(events, f.events.size(), "and emits nothing more");
    }

    private static String reply(SaslExchange x, String... lines) {
        SaslStep s = null;
        for (String l : lines) {
            s = x.respond(l);
        }
        assertTrue(s.done());
        assertNull(s.challenge());
        return s.reply().code() + " " + s.reply().enhanced();
    }
}
