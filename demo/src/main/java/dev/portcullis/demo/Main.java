package dev.portcullis.demo;

import dev.portcullis.Grant;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeyInfo;
import dev.portcullis.KeyManager;
import dev.portcullis.KeyScanner;
import dev.portcullis.KeySpec;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreConflictException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import dev.portcullis.PortcullisException;

/** The {@code portcullis} command line. */
@Command(name = "portcullis", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The Portcullis demo: a Mailgun-style mail API over HTTP and SMTP, and its key management.",
        subcommands = {Main.Serve.class, Main.Keys.class, Main.SmtpCredentials.class, Main.Scan.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Set to 1 in the environment to have an unexpected error's stack trace printed after its line. */
    static final String DEBUG_ENV = "PORTCULLIS_DEBUG";

    /**
     * The command line with its error handling: every error is one line on standard error,
     * {@code portcullis: …}, and an exit code that {@code --help} lists (a bad option 2, anything
     * else 1; {@code scan} has its own). An unexpected error's stack trace is printed only with
     * {@code PORTCULLIS_DEBUG=1}.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean expected = e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof PortcullisException || e instanceof NoSuchElementException || e instanceof IOException
                    || e instanceof java.io.UncheckedIOException;
            cmd.getErr().println("portcullis: " + (expected ? "" : "unexpected error: ") + oneLine(e)
                    + (expected || "1".equals(System.getenv(DEBUG_ENV)) ? "" : " (" + DEBUG_ENV + "=1 prints where)"));
            if (!expected && "1".equals(System.getenv(DEBUG_ENV))) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            cmd.getErr().println(name + ": " + oneLine(e) + " (see " + name + " --help)");
            return 2;
        });
        exitCodes(cl);
        return cl;
    }

    /** The message on one line; the exception's kind when it has none. */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.io.UncheckedIOException && e.getCause() != null) {
            m = e.getCause().getMessage();
        }
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return m.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** Every command's {@code --help} ends with its exit codes. */
    private static void exitCodes(CommandLine cl) {
        Map<String, String> codes = new LinkedHashMap<>();
        String name = cl.getCommandName();
        if (name.equals("scan")) {
            codes.put("0", "No key found.");
            codes.put("1", "Found at least one key (each printed as path:line:column).");
            codes.put("2", "A path could not be read, or a bad option.");
        } else if (name.equals("serve")) {
            codes.put("0", "Stopped by Ctrl-C or SIGTERM.");
            codes.put("1", "Could not start (a port or the data folder in use, a bad data folder); one line says why.");
            codes.put("2", "A bad option or argument.");
        } else {
            codes.put("0", "Done.");
            codes.put("1", "Refused or failed (an unknown domain or id, a username that exists, the data folder in use); one line says why.");
            codes.put("2", "A bad option or argument.");
        }
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        cl.getSubcommands().values().forEach(Main::exitCodes);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"portcullis " + (v != null ? v : "(development build)")};
        }
    }

    static final class DataOption {
        @Option(names = {"-d", "--data"}, defaultValue = "portcullis-data", paramLabel = "DIR",
                description = "The data folder: database, pepper, domains, TLS keystore, outbox, audit trail (default: ${DEFAULT-VALUE}).")
        Path data;
    }

    /** Who the CLI's changes are recorded as: the operator, with full rights (no escalation rule: it is not a key). */
    static KeyManager operator(DataFolder data, String reason) {
        return data.portcullis.keys().changedBy("cli:" + System.getProperty("user.name"), reason);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Starts the HTTP API and the SMTP submission server (STARTTLS and implicit TLS) on 127.0.0.1.",
                    "The first start in a new data folder creates account demo (domain example.com), an admin key, a sending key"
                            + " and an SMTP login, and prints them once with commands to try them."})
    static final class Serve implements Callable<Integer> {
        @Mixin
        DataOption data;
        @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
        int httpPort;
        @Option(names = "--smtp-port", defaultValue = "2525", description = "SMTP submission port, STARTTLS (default: ${DEFAULT-VALUE}).")
        int smtpPort;
        @Option(names = "--smtps-port", defaultValue = "4465", description = "SMTP submission port over implicit TLS, RFC 8314's"
                + " \"port 465\"; -1 for none (default: ${DEFAULT-VALUE}).")
        int smtpsPort;
        @Option(names = "--github-keys-url", paramLabel = "URL", description = "Where POST /v1/github/secret-scanning fetches GitHub's"
                + " signing keys (default: ${DEFAULT-VALUE}).", defaultValue = "https://api.github.com/meta/public_keys/secret_scanning")
        java.net.URI githubKeysUrl;
        @Option(names = "--leak-webhook", paramLabel = "URL", description = "POST a JSON notice here for every leaked key, e.g. a Slack"
                + " incoming webhook (docs/runbook-leaked-key.md); never the secret.")
        java.net.URI leakWebhook;

        @Override
        public Integer call() throws Exception {
            DemoServer server = DemoServer.start(new DemoServer.Options(data.data, httpPort, smtpPort, githubKeysUrl, leakWebhook, smtpsPort), System.out);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                    System.out.println("Stopped.");
                } catch (Exception e) {
                    System.err.println("portcullis: stopping failed: " + e);
                } finally {
                    stopped.countDown();
                }
            }, "portcullis-stop"));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Creates, lists, rotates and revokes API keys (with the server stopped).",
            subcommands = {KeysCreate.class, KeysList.class, KeysRotate.class, KeysRevoke.class, KeysReportLeak.class})
    static final class Keys {}

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an API key and prints its token, once.")
    static final class KeysCreate implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DataOption data;
        @Option(names = "--account", defaultValue = DataFolder.ACCOUNT, description = "Account (default: ${DEFAULT-VALUE}).")
        String account;
        @Option(names = "--name", description = "A name to recognise the key by.")
        String name;
        @Option(names = "--grant", required = true, paramLabel = "PERMISSION@RESOURCE",
                description = "A grant, e.g. messages:send@example.com or keys:read@*; repeatable.")
        List<String> grants;
        @Option(names = "--allow", paramLabel = "CIDR", description = "An address block the key may be used from; repeatable (default: any).")
        List<String> allow;
        @Option(names = "--rate-limit", paramLabel = "RATE/PER[/BURST]",
                description = "A limit, e.g. 10/minute or 100/second/200 (PER: second, minute, hour, day or ISO-8601); repeatable.")
        List<String> limits;
        @Option(names = "--expires-in", paramLabel = "DURATION", description = "Lifetime, ISO-8601 (e.g. P30D).")
        String expiresIn;
        @Option(names = "--expires-at", paramLabel = "INSTANT", description = "Expiry, ISO-8601 (e.g. 2027-01-01T00:00:00Z).")
        String expiresAt;
        @Option(names = "--reason", description = "Why, for the audit trail.")
        String reason;
        @Option(names = "--credits", paramLabel = "N", description = "Credits: each recipient sent to costs one (default: unlimited).")
        Long credits;
        @Option(names = "--refill", paramLabel = "AMOUNT/INTERVAL",
                description = "Sets the credits back to AMOUNT every daily, monthly (on the 1st), monthly:DAY or ISO-8601 period, e.g. 500/monthly.")
        String refill;

        @Override
        public Integer call() throws IOException {
            KeyRequests.Refill refillSpec = null;
            if (refill != null) {
                String[] p = refill.split("/", 2);
                try {
                    String interval = p[1].startsWith("monthly:") ? "monthly" : p[1];
                    Integer day = p[1].startsWith("monthly:") ? Integer.valueOf(p[1].substring(8)) : null;
                    refillSpec = new KeyRequests.Refill(Long.parseLong(p[0]), interval, day);
                } catch (RuntimeException e) {
                    throw new ParameterException(spec.commandLine(), "--refill: AMOUNT/INTERVAL, like 500/monthly, not " + refill);
                }
            }
            List<KeyRequests.RateLimit> rateLimits = null;
            if (limits != null) {
                rateLimits = new ArrayList<>();
                for (String l : limits) {
                    String[] p = l.split("/", -1);
                    try {
                        if (p.length < 2 || p.length > 3) {
                            throw new NumberFormatException();
                        }
                        rateLimits.add(new KeyRequests.RateLimit(Long.parseLong(p[0]), p[1],
                                p.length == 3 ? Long.parseLong(p[2]) : null, null));
                    } catch (NumberFormatException e) {
                        throw new ParameterException(spec.commandLine(), "--rate-limit: RATE/PER[/BURST], like 10/minute, not " + l);
                    }
                }
            }
            try (DataFolder folder = DataFolder.open(data.data)) {
                KeyRequests.CreateKey req = new KeyRequests.CreateKey(account, name, grants, allow, rateLimits, expiresAt, expiresIn,
                        credits, refillSpec);
                IssuedKey k = operator(folder, reason).create(KeyRequests.spec(req, account, folder.domains));
                PrintWriter out = spec.commandLine().getOut();
                out.println("Created key " + k.id() + " in account " + account + ": " + k.info().grants());
                out.println("Its token, shown this once (only its digest is stored):");
                out.println("  " + k.token());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the credentials of an account; never a secret.")
    static final class KeysList implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DataOption data;
        @Option(names = "--account", defaultValue = DataFolder.ACCOUNT, description = "Account (default: ${DEFAULT-VALUE}).")
        String account;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try (DataFolder folder = DataFolder.open(data.data)) {
                out.printf("%-12s  %-8s  %-24s  %-10s  %s%n", "ID", "STATUS", "SHOWN AS", "NAME", "GRANTS");
                String cursor = null;
                do {
                    Page<KeyInfo> page = folder.portcullis.keys().list(account, cursor, 100);
                    for (KeyInfo k : page.items()) {
                        out.printf("%-12s  %-8s  %-24s  %-10s  %s%n", k.id(), KeyRequests.status(k), k.display(), k.name(),
                                k.grants().stream().map(Grant::toString).toList());
                    }
                    cursor = page.nextCursor();
                } while (cursor != null);
            }
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Replaces a key with a new one of the same grants; the old one works until the grace period ends.")
    static final class KeysRotate implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DataOption data;
        @Parameters(paramLabel = "ID", description = "The key's id.")
        String id;
        @Option(names = "--grace", defaultValue = "PT24H", description = "How long the old key keeps working, ISO-8601 (default: ${DEFAULT-VALUE}).")
        String grace;

        @Override
        public Integer call() throws IOException {
            try (DataFolder folder = DataFolder.open(data.data)) {
                IssuedKey k = operator(folder, "rotate").rotate(id, KeyRequests.duration(grace, "--grace"));
                PrintWriter out = spec.commandLine().getOut();
                out.println("Key " + id + " is replaced by " + k.id() + "; the old one works until "
                        + folder.portcullis.keys().get(id).map(KeyInfo::expiresAt).orElse(null) + ".");
                out.println("The new token, shown this once:");
                out.println("  " + k.token());
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a key or SMTP login at once.")
    static final class KeysRevoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DataOption data;
        @Parameters(paramLabel = "ID", description = "The credential's id.")
        String id;
        @Option(names = "--reason", description = "Why, for the audit trail.")
        String reason;

        @Override
        public Integer call() throws IOException {
            try (DataFolder folder = DataFolder.open(data.data)) {
                KeyInfo k = operator(folder, reason).revoke(id);
                spec.commandLine().getOut().println("Revoked " + k.id() + " (" + k.display() + ") at " + k.revokedAt() + ".");
            }
            return 0;
        }
    }

    @Command(name = "report-leak", mixinStandardHelpOptions = true,
            description = {"Revokes the key a leaked token is, if the token verifies (its secret must be right); prints the key id only.",
                    "Prefer --file: a token on the command line is seen by ps and kept in the shell's history."})
    static final class KeysReportLeak implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DataOption data;
        @Parameters(arity = "0..1", paramLabel = "TOKEN", description = "The leaked token.")
        String token;
        @Option(names = "--file", paramLabel = "PATH", description = "A file that holds the token alone ('-': standard input).")
        Path file;
        @Option(names = "--source", defaultValue = "portcullis keys report-leak",
                description = "Where it leaked, for the audit trail (default: ${DEFAULT-VALUE}).")
        String source;

        @Override
        public Integer call() throws IOException {
            if ((token == null) == (file == null)) {
                throw new ParameterException(spec.commandLine(), "give the token, or --file with it, not both");
            }
            String t = token != null ? token.strip() : read(file);
            try (DataFolder folder = DataFolder.open(data.data)) {
                KeyManager.LeakReport r = operator(folder, "leak reported").reportLeaked(t, source);
                String id = DataFolder.FORMAT.parse(t).keyId(); // printed only once the token verified
                PrintWriter out = spec.commandLine().getOut();
                switch (r) {
                    case REVOKED -> out.println("Revoked key " + id + ": the token verified; the key is denied from now on.");
                    case ALREADY_REVOKED -> out.println("Key " + id + " was already revoked; nothing changed.");
                    case UNVERIFIED -> {
                        spec.commandLine().getErr().println("portcullis: the token is no key of this data folder (unknown, wrong secret"
                                + " or malformed); nothing changed");
                        return 1;
                    }
                }
            }
            return 0;
        }

        private String read(Path path) throws IOException {
            String text = path.toString().equals("-")
                    ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(path, StandardCharsets.UTF_8);
            String t = text.strip();
            if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace)) {
                throw new ParameterException(spec.commandLine(), "--file must hold the token alone; for a file with keys among"
                        + " other text, use: portcullis scan --revoke " + path);
            }
            return t;
        }
    }

    @Command(name = "smtp-credentials", mixinStandardHelpOptions = true, description = "Creates SMTP logins (with the server stopped).",
            subcommands = {SmtpCreate.class})
    static final class SmtpCredentials {}

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an SMTP login and prints its password, once.")
    static final class SmtpCreate implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DataOption data;
        @Option(names = "--username", required = true, description = "An address at one of the account's domains, e.g. app@example.com.")
        String username;
        @Option(names = "--account", defaultValue = DataFolder.ACCOUNT, description = "Account (default: ${DEFAULT-VALUE}).")
        String account;
        @Option(names = "--grant", paramLabel = "PERMISSION@RESOURCE",
                description = "A grant; repeatable (default: messages:send on the username's domain).")
        List<String> grants;
        @Option(names = "--name", description = "A name to recognise the login by.")
        String name;

        @Override
        public Integer call() throws IOException {
            try (DataFolder folder = DataFolder.open(data.data)) {
                List<String> wanted = grants != null ? grants
                        : List.of("messages:send@" + username.substring(username.lastIndexOf('@') + 1));
                KeySpec.Builder b = KeySpec.builder().account(account).username(username).name(name);
                for (Grant g : KeyRequests.grants(wanted, account, folder.domains)) {
                    b.grant(g.permission(), g.resourcePattern());
                }
                IssuedKey p;
                try {
                    p = operator(folder, "smtp-credentials create").createSmtpCredential(b.build());
                } catch (StoreConflictException e) {
                    throw new IllegalStateException("an SMTP login " + username + " already exists (portcullis keys list shows it)", e);
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println("Created SMTP login " + p.username() + " (" + p.id() + ") in account " + account + ": " + p.info().grants());
                out.println("Its password, shown this once (only its Argon2id hash is stored):");
                out.println("  " + p.password());
            }
            return 0;
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true,
            description = {"Looks for Portcullis keys in files and folders (.git folders skipped).",
                    "Prints the path, line, column and key id of each (never the secret) and exits 1 if it found one,"
                            + " 0 if none, 2 if a path could not be read. Made for a git pre-commit hook.",
                    "With --revoke, every key found that verifies against the data folder is revoked at once (with the server stopped)."})
    static final class Scan implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DataOption data;
        @Option(names = "--revoke", description = "Revoke each key found whose token verifies in the data folder (a leak report).")
        boolean revoke;
        @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders.")
        List<Path> paths;
        @Option(names = "--prefix", defaultValue = "pc", description = "The key prefix to look for (default: ${DEFAULT-VALUE}).")
        String prefix;

        @Override
        public Integer call() {
            KeyScanner scanner;
            try {
                scanner = KeyScanner.forFormat(KeyFormat.withPrefix(prefix));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--prefix: " + e.getMessage());
            }
            if (!revoke) {
                return scan(scanner, null);
            }
            try (DataFolder folder = DataFolder.open(data.data)) {
                return scan(scanner, operator(folder, "portcullis scan --revoke"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Scans every path; with {@code revokeWith}, reports each finding's token to it as leaked. */
        private int scan(KeyScanner scanner, KeyManager revokeWith) {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int found = 0;
            int revoked = 0;
            boolean failed = false;
            for (Path root : paths) {
                List<Path> files = new ArrayList<>();
                try {
                    files(root, files);
                } catch (IOException e) {
                    err.println("portcullis scan: cannot read " + root + ": " + e.getMessage());
                    failed = true;
                }
                for (Path file : files) {
                    try {
                        List<KeyScanner.Finding> findings = scanner.scan(file);
                        if (!findings.isEmpty()) {
                            List<String> where = lineAndColumn(file, findings);
                            List<String> outcomes = revokeWith == null ? null : revokeAll(revokeWith, file, findings, where);
                            for (int i = 0; i < where.size(); i++) {
                                out.println(where.get(i) + (outcomes == null ? "" : ": " + outcomes.get(i)));
                                if (outcomes != null && outcomes.get(i).equals(REVOKED)) {
                                    revoked++;
                                }
                            }
                            found += findings.size();
                        }
                    } catch (IOException e) {
                        err.println("portcullis scan: cannot read " + file + ": " + e.getMessage());
                        failed = true;
                    }
                }
            }
            out.flush();
            if (found > 0) {
                err.println("portcullis scan: found " + found + " key" + (found == 1 ? "" : "s")
                        + (revokeWith != null ? "; revoked " + revoked + " now. Remove each from its file."
                                : ". Revoke each (portcullis keys revoke ID, or scan --revoke) and remove it from the file."));
                return 1;
            }
            return failed ? 2 : 0;
        }

        static final String REVOKED = "revoked now";

        /**
         * Reports each finding's token as leaked: the tokens are read again at the scanner's positions
         * (the scanner never hands out a secret) and go only to {@code reportLeaked}, which revokes
         * what verifies. One outcome per finding, naming no secret.
         */
        private List<String> revokeAll(KeyManager keys, Path file, List<KeyScanner.Finding> findings, List<String> where)
                throws IOException {
            List<String> outcomes = new ArrayList<>();
            int length = prefix.length() + 1 + KeyFormat.ID_LENGTH + KeyFormat.SECRET_LENGTH + KeyFormat.CHECK_LENGTH;
            try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
                long pos = 0;
                for (int i = 0; i < findings.size(); i++) {
                    KeyScanner.Finding f = findings.get(i);
                    for (; pos < f.position(); pos++) {
                        r.read();
                    }
                    char[] token = new char[length];
                    int n = 0;
                    for (int got; n < length && (got = r.read(token, n, length - n)) > 0; ) {
                        n += got;
                    }
                    pos += n;
                    if (n != length) {
                        outcomes.add("not a key of this data folder");
                        continue;
                    }
                    String place = where.get(i).substring(0, where.get(i).indexOf(": Portcullis key"));
                    String source = "portcullis scan " + (place.length() > 400 ? "…" + place.substring(place.length() - 399) : place);
                    KeyManager.LeakReport report = keys.reportLeaked(new String(token), source.replaceAll("\\p{Cntrl}", "?"));
                    java.util.Arrays.fill(token, '\0');
                    outcomes.add(switch (report) {
                        case REVOKED -> REVOKED;
                        case ALREADY_REVOKED -> "already revoked";
                        case UNVERIFIED -> "not a key of this data folder";
                    });
                }
            }
            return outcomes;
        }

        private static void files(Path root, List<Path> out) throws IOException {
            if (!Files.exists(root)) {
                throw new java.nio.file.NoSuchFileException(root.toString(), null, "no such file or folder");
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return dir.getFileName() != null && dir.getFileName().toString().equals(".git") && !dir.equals(root)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        out.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }

        /** {@code path:line:column: key ID}: the scanner's positions count chars, so count them again to find the lines. */
        private static List<String> lineAndColumn(Path file, List<KeyScanner.Finding> findings) throws IOException {
            List<String> out = new ArrayList<>();
            try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
                long pos = 0;
                long line = 1;
                long lineStart = 0;
                for (KeyScanner.Finding f : findings) {
                    for (; pos < f.position(); pos++) {
                        if (r.read() == '\n') {
                            line++;
                            lineStart = pos + 1;
                        }
                    }
                    out.add(file + ":" + line + ":" + (f.position() - lineStart + 1) + ": Portcullis key " + f.keyId()
                            + " (the secret is not shown)");
                }
            }
            return out;
        }
    }
}
