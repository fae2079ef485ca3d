package dev.portcullis.jdbc;

import dev.portcullis.spi.StoreChange;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The payload of a change's {@code NOTIFY}: {@code p1}, the writing store instance's origin, the
 * change's sequence number, {@code C} or {@code A} (credential or account), the id, then the
 * usernames, one per line. Ids and usernames hold no line break here (else the short form is
 * sent). A change that does not fit PostgreSQL's payload limit (under 8,000 bytes) is sent in the
 * short form, the first three lines, and the receiver polls for it. No version: a notice only
 * evicts (see {@link ChangeFeed#pushed}).
 *
 * @param change {@code null} in the short form
 */
record PushNotice(String origin, long seq, StoreChange change) {
    /** Below PostgreSQL's limit of 8,000 bytes, with room to spare. */
    static final int MAX_PAYLOAD_BYTES = 7_900;
    private static final String FORMAT = "p1";

    static String payload(String origin, long seq, StoreChange change) {
        String head = FORMAT + "\n" + origin + "\n" + seq;
        StringBuilder sb = new StringBuilder(head).append('\n')
                .append(change.kind() == StoreChange.Kind.ACCOUNT ? 'A' : 'C').append('\n').append(change.id());
        boolean plain = plain(change.id());
        for (String u : change.usernames()) {
            plain &= plain(u);
            sb.append('\n').append(u);
        }
        String full = sb.toString();
        return plain && full.getBytes(StandardCharsets.UTF_8).length <= MAX_PAYLOAD_BYTES ? full : head;
    }

    private static boolean plain(String s) {
        return !s.isEmpty() && s.indexOf('\n') < 0;
    }

    /** The notice in {@code payload}, or {@code null} if it is not in this format (the receiver then polls). */
    static PushNotice parse(String payload) {
        if (payload == null) {
            return null;
        }
        String[] lines = payload.split("\n", -1);
        if (lines.length < 3 || !lines[0].equals(FORMAT) || lines[1].isEmpty()) {
            return null;
        }
        long seq;
        try {
            seq = Long.parseLong(lines[2]);
        } catch (NumberFormatException e) {
            return null;
        }
        if (lines.length == 3) {
            return new PushNotice(lines[1], seq, null);
        }
        if (lines.length < 5 || lines[4].isEmpty()) {
            return null;
        }
        if (lines[3].equals("A")) {
            return lines.length == 5 ? new PushNotice(lines[1], seq, StoreChange.account(lines[4], 0)) : null;
        }
        if (!lines[3].equals("C")) {
            return null;
        }
        Set<String> usernames = new LinkedHashSet<>();
        for (int i = 5; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                return null;
            }
            usernames.add(lines[i]);
        }
        return new PushNotice(lines[1], seq, StoreChange.credential(lines[4], 0, usernames));
    }
}
