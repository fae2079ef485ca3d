package dev.portcullis.jdbc;

/** Table names under one prefix; the prefix is validated, so these are safe to splice into SQL. */
record Tables(String prefix) {
    String credential() {
        return prefix + "credential";
    }

    String account() {
        return prefix + "account";
    }

    String usage() {
        return prefix + "usage";
    }

    String credits() {
        return prefix + "credits";
    }

    String change() {
        return prefix + "change";
    }

    /** The LISTEN/NOTIFY channel of the change feed's push (PostgreSQL): the change table's name. */
    String channel() {
        return prefix + "change";
    }

    String changeSequence() {
        return prefix + "change_seq";
    }

    String feedState() {
        return prefix + "feed_state";
    }
}
