package dev.portcullis.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SmtpPath#parse}: RFC 5321 §4.1.2 {@code Mailbox}, with RFC 6531 UTF-8, against a table of examples. */
class SmtpPathTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "user@example.com",
        "first.last@sub.example.com",
        "!#$%&'*+-/=?^_`{|}~@example.com",
        "\"a b\"@example.com",
        "\"a\\\"b\"@example.com",                // escaped quote
        "\"a\\\\b\"@example.com",               // escaped backslash
        "\"ceo@other.test,x\"@example.com",     // list syntax inside a quoted local part is one local part
        "\"\"@example.com",                     // Quoted-string = DQUOTE *QcontentSMTP DQUOTE: empty is allowed
        "user@[192.0.2.1]",
        "user@[IPv6:2001:db8::1]",
        "user@[ipv6:2001:DB8::1]",              // ABNF literal strings are case-insensitive
        "user@[IPv6:1:2:3:4:5:6:7:8]",
        "user@[IPv6:1:2:3:4:5:6::]",            // six groups and "::"
        "user@[IPv6:::ffff:192.0.2.1]",
        "user@[IPv6:1:2:3:4:5:6:192.0.2.1]",
        "user@a-b.example",
        "user@123.example",
        "user@localhost",                        // one label is a Domain; the grants decide
        "üser@bücher.example",                   // RFC 6531: UTF-8 in atext and in U-labels
        "用户@例子.广告",
        "\"ü ü\"@example.com",
    })
    void oneRfc5321MailboxIsAccepted(String path) {
        SmtpPath.Mailbox m = SmtpPath.parse(path);
        assertNotNull(m, path);
        assertEquals(path, m.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                      // the null reverse-path is the caller's, not a mailbox
        "postmaster",
        "ceo@other.test,x@example.com",          // issue 24 finding 2: a list
        "Boss <ceo@other.test>,x@example.com",   // a display name in a list
        "grp:ceo@other.test;,x@example.com",     // a group
        "grp:x@example.com;",
        "Boss <x@example.com>",
        "<x@example.com>",
        "x@example.com (comment)",
        "(comment)x@example.com",
        "x(comment)@example.com",
        "x@(comment)example.com",
        "@a.test,@b.test:x@example.com",         // a source route (obsolete): refused, not ignored
        "@a.test:x@example.com",
        "x@example.com.",                        // trailing dot: not a Domain (decided: refused)
        ".x@example.com",
        "x.@example.com",
        "x..y@example.com",
        "x y@example.com",
        " x@example.com",
        "x@example.com ",
        "x@y@example.com",
        "x@",
        "@example.com",
        "x@-example.com",
        "x@example-.com",
        "x@exa_mple.com",
        "x@example..com",
        "x@.example.com",
        "\"unterminated@example.com",
        "\"a\"b@example.com",
        "a\"b\"@example.com",
        "\"a\\\u0001\"@example.com",             // quoted-pairSMTP is backslash and %d32-126 only
        "\"a\u0001\"@example.com",
        "x@example.com\u0000",
        "user@[192.0.2.256]",
        "user@[192.0.2]",
        "user@[192.0.2.1",
        "user@[]",
        "user@[IPv6:2001:db8::1::2]",
        "user@[IPv6:2001:db8:::1]",
        "user@[IPv6:1:2:3:4:5:6:7::]",           // "::" stands for at least two groups (RFC 5321)
        "user@[IPv6:1:2:3:4:5:6:7:8:9]",
        "user@[IPv6:1:2:3:4:5:6:7]",
        "user@[IPv6:12345::1]",
        "user@[IPv6:1:2:3:4:5::192.0.2.1]",      // IPv6v4-comp: at most four groups besides "::"
        "user@[2001:db8::1]",                    // IPv6 without its tag
        "user@[x-tag:anything]",                 // no other General-address-literal is registered
        "x@example\u3002com",                    // ideographic full stop: "." is the only separator
        "x@example\uFF0Ecom",
        "x\u0085@example.com",                   // C1 control
        "x\uD800@example.com",                   // lone surrogate
        "x\u2028@example.com",
    })
    void anythingElseIsRefused(String path) {
        assertNull(SmtpPath.parse(path), path);
    }

    @Test
    void lengthLimitsAreInUtf8Octets() {
        String domain = "example.com";
        assertNotNull(SmtpPath.parse("a".repeat(64) + "@" + domain));
        assertNull(SmtpPath.parse("a".repeat(65) + "@" + domain), "local part over 64 octets");
        assertNotNull(SmtpPath.parse("ü".repeat(32) + "@" + domain), "32 two-octet characters are 64 octets");
        assertNull(SmtpPath.parse("ü".repeat(33) + "@" + domain), "33 two-octet characters are 66 octets");
        assertNotNull(SmtpPath.parse("x@" + "a".repeat(63) + ".test"));
        assertNull(SmtpPath.parse("x@" + "a".repeat(64) + ".test"), "an LDH label over 63 octets");
        // local 64 + "@" + domain 189 = 254 octets: with "<" and ">", the 256 of a path
        String long189 = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(61);
        assertNotNull(SmtpPath.parse("l".repeat(64) + "@" + long189));
        assertNull(SmtpPath.parse("l".repeat(64) + "@" + long189 + "c"), "a path over 256 octets");
        assertNull(SmtpPath.parse("l".repeat(63) + "ü@" + long189), "the same, by one octet of UTF-8");
    }

    @Test
    void theMailboxKeepsLocalPartAndDomainAsSent() {
        SmtpPath.Mailbox m = SmtpPath.parse("\"a@b\"@Example.COM");
        assertEquals("\"a@b\"", m.localPart());
        assertEquals("Example.COM", m.domain());
        assertEquals(false, m.addressLiteral());
        assertEquals(true, SmtpPath.parse("x@[192.0.2.1]").addressLiteral());
    }
}
