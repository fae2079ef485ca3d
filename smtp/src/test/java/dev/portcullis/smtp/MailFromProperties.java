package dev.portcullis.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.Grant;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Principal;
import dev.portcullis.AuthResult.SmtpReply;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.statistics.Statistics;

/**
 * Issue 24, finding 2, as a property over generated MAIL FROM arguments (RFC 5321 paths, lists,
 * groups, display names, comments, quoted local parts, IDN domains, source routes, mutations):
 * <b>accepted ⇒ exactly one mailbox, in a granted domain</b>. The login holds only
 * {@code messages:send@example.com}, on a real Portcullis (in-memory store) behind the real
 * {@link GuardedMessages}, and, for a part of the tries, behind a real SubEthaSMTP server.
 */
class MailFromProperties {
    private static final String ATEXT = "abcxyzABCXYZ0189!#$%&'*+-/=?^_`{|}~üé日";

    /** What the generator built: one mailbox, surely not one, or a mutation nobody vouches for. */
    enum Shape { MAILBOX, NOT_ONE, MALFORMED, UNKNOWN }

    record Sender(String text, Shape shape, String domain) {
        @Override
        public String toString() {
            return shape + " " + text;
        }
    }

    private final TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build());
    private final IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
    private final Principal principal = t.portcullis.authenticator().sasl("PLAIN", "127.0.0.1", true)
            .respond(Wire.plain("api", key.token())).result().principal();
    private final GuardedMessages guard = new GuardedMessages(t.portcullis.authenticator(),
            SmtpOptions.builder().startTls(TestTls.server()).build(), context -> {
                throw new AssertionError("refusal() creates no handler");
            });

    /** The wire property's one authenticated session, opened by its first try. */
    private Wire wire;

    @AfterProperty
    void stop() throws Exception {
        if (wire != null) {
            wire.close();
        }
        t.close();
    }

    // ---- generators ------------------------------------------------------------------------

    private static Arbitrary<String> dotString() {
        return Arbitraries.strings().withChars(ATEXT).ofMinLength(1).ofMaxLength(8)
                .list().ofMinSize(1).ofMaxSize(3).map(atoms -> String.join(".", atoms));
    }

    private static Arbitrary<String> quoted() {
        return Arbitraries.of("a", "Z", " ", ",", "@", "<", ">", ";", ":", "(", ")", "[", "]", ".", "\\\"", "\\\\", "\\a", "é", "日")
                .list().ofMaxSize(6).map(parts -> "\"" + String.join("", parts) + "\"");
    }

    private static Arbitrary<String> localPart() {
        return Arbitraries.frequencyOf(Tuple.of(3, dotString()), Tuple.of(1, quoted()));
    }

    private static Arbitrary<String> grantedDomain() {
        return Arbitraries.of("example.com", "EXAMPLE.COM", "Example.Com");
    }

    private static Arbitrary<String> domain() {
        Arbitrary<String> ldh = Arbitraries.strings().withChars("abcz019-").ofMinLength(1).ofMaxLength(10)
                .filter(l -> !l.startsWith("-") && !l.endsWith("-"))
                .list().ofMinSize(1).ofMaxSize(2).map(labels -> String.join(".", labels) + ".test");
        Arbitrary<String> named = Arbitraries.of("other.test", "example.com.other.test", "sub.example.com", "example.co",
                "xample.com", "exämple.com", "bücher.example", "例子.example", "xn--bcher-kva.example", "ｅｘａｍｐｌｅ.com",
                "[192.0.2.1]", "[IPv6:2001:db8::1]");
        return Arbitraries.frequencyOf(Tuple.of(3, grantedDomain()), Tuple.of(2, named), Tuple.of(1, ldh));
    }

    private static Arbitrary<Sender> mailbox() {
        return Combinators.combine(localPart(), domain()).as((local, domain) -> new Sender(local + "@" + domain,
                local.getBytes(StandardCharsets.UTF_8).length <= SmtpPath.MAX_LOCAL_PART ? Shape.MAILBOX : Shape.MALFORMED, domain));
    }

    private static Arbitrary<String> mailboxText() {
        return mailbox().filter(s -> s.shape() == Shape.MAILBOX).map(Sender::text);
    }

    private static Arbitrary<String> name() {
        return Arbitraries.strings().withChars("Boss CEO").ofMinLength(1).ofMaxLength(8).map(String::strip).filter(n -> !n.isEmpty());
    }

    /** Lists, groups, display names, comments and source routes: never one mailbox. */
    private static Arbitrary<Sender> notOne() {
        Arbitrary<String> m = mailboxText();
        Arbitrary<String> text = Arbitraries.oneOf(
                Combinators.combine(m, Arbitraries.of(",", ", ", " ,"), m).as((a, sep, b) -> a + sep + b),
                Combinators.combine(name(), m).as((n, a) -> n + ":" + a + ";"),
                Combinators.combine(name(), m, m).as((n, a, b) -> n + ":" + a + ";," + b),
                Combinators.combine(name(), m, m).as((n, a, b) -> n + ":" + a + "," + b + ";"),
                Combinators.combine(name(), m).as((n, b) -> n + ":;," + b),
                Combinators.combine(name(), m).as((n, a) -> n + " <" + a + ">"),
                Combinators.combine(name(), m).as((n, a) -> "\"" + n + "\" <" + a + ">"),
                Combinators.combine(name(), m, m).as((n, a, b) -> n + " <" + a + ">," + b),
                Combinators.combine(name(), m).as((c, a) -> "(" + c + "@other.test)" + a),
                Combinators.combine(name(), m).as((c, a) -> a + " (" + c + ")"),
                Combinators.combine(name(), m).as((c, a) -> a + "(" + c + ")"),
                Combinators.combine(domain(), m).as((d, a) -> "@" + d + ":" + a),
                Combinators.combine(domain(), domain(), m).as((d, e, a) -> "@" + d + ",@" + e + ":" + a));
        return text.map(s -> new Sender(s, Shape.NOT_ONE, null));
    }

    /** One mailbox spoiled in a known way: trailing dot, spaces, a missing or second {@code @}. */
    private static Arbitrary<Sender> malformed() {
        Arbitrary<String> m = mailboxText();
        return Arbitraries.oneOf(
                m.map(a -> a + "."), m.map(a -> " " + a), m.map(a -> a + " "), m.map(a -> a + "@other.test"),
                localPart().map(l -> l + "@"), domain().map(d -> "@" + d), localPart().map(l -> l + "@@example.com"))
                .map(s -> new Sender(s, Shape.MALFORMED, null));
    }

    /** A mailbox with one character inserted or removed: may or may not still be one. */
    private static Arbitrary<Sender> mutated() {
        Arbitrary<String> insert = Combinators.combine(mailboxText(), Arbitraries.integers().between(0, 1000),
                Arbitraries.of(",", ";", ":", "<", ">", "(", ")", "\"", "\\", " ", "@", ".", "[", "]", "ü", "a", "\u3002"))
                .as((a, at, c) -> a.substring(0, at % (a.length() + 1)) + c + a.substring(at % (a.length() + 1)));
        Arbitrary<String> delete = Combinators.combine(mailboxText(), Arbitraries.integers().between(0, 1000))
                .as((a, at) -> a.substring(0, at % a.length()) + a.substring(at % a.length() + 1));
        return Arbitraries.oneOf(insert, delete).map(s -> new Sender(s, Shape.UNKNOWN, null));
    }

    @Provide
    Arbitrary<Sender> senders() {
        return Arbitraries.frequencyOf(Tuple.of(3, mailbox()), Tuple.of(3, notOne()), Tuple.of(1, malformed()), Tuple.of(2, mutated()));
    }

    // ---- the oracle, independent of SmtpPath ----------------------------------------------

    /**
     * Whether {@code s} is at most one address: a local part (a quoted string, or text without
     * the delimiters of lists, groups, display names, comments and routes) and one {@code @}
     * before a domain without them. Looser than RFC 5321, never looser on "one".
     */
    static boolean atMostOneAddress(String s) {
        int at;
        if (s.startsWith("\"")) {
            int i = 1;
            while (i < s.length() && s.charAt(i) != '"') {
                i += s.charAt(i) == '\\' ? 2 : 1;
            }
            at = i + 1;
        } else {
            at = s.indexOf('@');
            if (at <= 0 || containsAny(s.substring(0, at), ",;:<>()\"[]\\ \t")) {
                return false;
            }
        }
        return at < s.length() && s.charAt(at) == '@' && !containsAny(s.substring(at + 1), ",;<>()\"\\@ \t");
    }

    private static boolean containsAny(String s, String chars) {
        return s.chars().anyMatch(c -> chars.indexOf(c) >= 0);
    }

    private static String domainOf(String oneAddress) {
        return oneAddress.substring(oneAddress.lastIndexOf('@') + 1);
    }

    // ---- properties ------------------------------------------------------------------------

    @Property(tries = 1500)
    void anAcceptedSenderIsExactlyOneMailboxInAGrantedDomain(@ForAll("senders") Sender sender) {
        int events = t.events.size();
        SmtpReply refusal = guard.refusal(principal, sender.text());
        if (refusal == null) {
            assertTrue(sender.shape() == Shape.MAILBOX || sender.shape() == Shape.UNKNOWN, "accepted " + sender);
            assertTrue(atMostOneAddress(sender.text()), "accepted more than one address: " + sender);
            SmtpPath.Mailbox m = SmtpPath.parse(sender.text());
            assertNotNull(m);
            assertEquals(sender.text(), m.toString());
            assertEquals("example.com", Grant.canonicalResource(m.domain()), "accepted outside the grant: " + sender);
            assertEquals("example.com", Grant.canonicalResource(domainOf(sender.text())));
        }
        String outcome = refusal == null ? "accepted" : refusal.line().substring(0, 3);
        Statistics.label("outcome").collect(sender.shape(), outcome);
        Statistics.label("outcome").coverage(c -> { // never vacuous: each side of the rule is tried often
            c.check(Shape.MAILBOX, "accepted").percentage(p -> p >= 5);
            c.check(Shape.MAILBOX, "550").percentage(p -> p >= 5);
            c.check(Shape.NOT_ONE, "501").percentage(p -> p >= 15);
        });
        switch (sender.shape()) {
            case NOT_ONE, MALFORMED -> {
                assertEquals(GuardedMessages.BAD_SENDER_SYNTAX, refusal, sender::toString);
                assertEquals(events, t.events.size(), "refused before the authenticator was asked");
            }
            case MAILBOX -> {
                SmtpPath.Mailbox m = SmtpPath.parse(sender.text());
                assertNotNull(m, "one RFC 5321 mailbox is parsed: " + sender);
                assertEquals(sender.domain(), m.domain());
                if (List.of("example.com", "EXAMPLE.COM", "Example.Com").contains(sender.domain())) {
                    assertNull(refusal, "a mailbox at the granted domain is accepted: " + sender);
                } else if (Grant.canonicalResource(sender.domain()) != null && !"example.com".equals(Grant.canonicalResource(sender.domain()))) {
                    assertNotEquals(null, refusal, sender::toString);
                }
            }
            case UNKNOWN -> {
                if (refusal == GuardedMessages.BAD_SENDER_SYNTAX) {
                    assertEquals(events, t.events.size(), "refused before the authenticator was asked");
                }
            }
        }
    }

    /**
     * The same over a real SubEthaSMTP server and socket (its own extraction of the path and its
     * RFC 5322 check in front): what gets 250 and is delivered is one mailbox in example.com; a
     * list, group, display name, comment or source route is never accepted and never authorized.
     */
    @Property(tries = 250)
    void overTheWireOnlyOneMailboxInAGrantedDomainIsDelivered(@ForAll("senders") Sender sender) throws Exception {
        if (wire == null) {
            wire = Wire.connect(t.port());
            wire.ask("EHLO client.test");
            wire.startTls();
            wire.ask("EHLO client.test");
            assertEquals("235 Authentication successful.", wire.ask("AUTH PLAIN " + Wire.plain("api", key.token())));
        }
        int events = t.events.size();
        int delivered = t.deliveries.size();
        String reply = wire.ask("MAIL FROM:<" + sender.text() + ">");
        Statistics.label("reply").collect(sender.shape(), reply.substring(0, 3));
        Statistics.label("reply").coverage(c -> {
            c.check(Shape.MAILBOX, "250").count(n -> n >= 5);
            c.check(Shape.NOT_ONE, "501").count(n -> n >= 5);
        });
        if (reply.equals("250 Ok")) {
            assertNotEquals(Shape.NOT_ONE, sender.shape(), sender::toString);
            assertEquals("250 Ok", wire.ask("RCPT TO:<someone@elsewhere.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", wire.ask("DATA"));
            assertEquals("250 Ok", wire.ask("hello\r\n."));
            assertEquals(delivered + 1, t.deliveries.size());
            String from = t.deliveries.stream().reduce((a, b) -> b).orElseThrow().from();
            assertTrue(atMostOneAddress(from), "delivered from more than one address: " + from);
            assertEquals("example.com", Grant.canonicalResource(domainOf(from)), "delivered outside the grant: " + from);
        } else {
            assertTrue(reply.startsWith("5"), reply);
            assertEquals(delivered, t.deliveries.size());
            if (sender.shape() == Shape.NOT_ONE || reply.equals(GuardedMessages.BAD_SENDER_SYNTAX.line()) || reply.startsWith("553 ")) {
                assertEquals(events, t.events.size(), "refused before the authenticator was asked: " + sender + " → " + reply);
            }
            assertEquals("250 Ok", wire.ask("RSET"));
        }
    }

}
