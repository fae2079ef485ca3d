package dev.portcullis.demo;

import java.util.ArrayList;
import java.util.List;

/** The commands a start printed, as a POSIX shell would split them: what a user pastes is what the tests run. */
final class Printed {
    private Printed() {}

    /** Every printed command starting with {@code program}, continuation lines joined, split into words. */
    static List<List<String>> commands(String output, String program) {
        List<List<String>> out = new ArrayList<>();
        String[] lines = output.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].strip().startsWith(program + " ")) {
                continue;
            }
            StringBuilder cmd = new StringBuilder(lines[i]);
            while (cmd.toString().endsWith("\\") && i + 1 < lines.length) {
                cmd.setLength(cmd.length() - 1); // backslash-newline: the shell joins the lines
                cmd.append(lines[++i]);
            }
            out.add(words(cmd.toString()));
        }
        return out;
    }

    /** Splits like sh: blanks separate words, single quotes keep everything literal, a backslash escapes one character. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated quote in: " + line);
                }
                w = w == null ? new StringBuilder() : w;
                w.append(line, i + 1, end);
                i = end;
            } else if (c == '\\' && i + 1 < line.length()) {
                w = w == null ? new StringBuilder() : w;
                w.append(line.charAt(++i));
            } else if (c == '"' || c == '$' || c == '`' || c == '<' || c == '>' || c == '|' || c == '&' || c == ';') {
                throw new IllegalArgumentException("the printed command uses shell syntax these tests do not model: " + line);
            } else if (c == ' ' || c == '\t') {
                if (w != null) {
                    words.add(w.toString());
                    w = null;
                }
            } else {
                w = w == null ? new StringBuilder() : w;
                w.append(c);
            }
        }
        if (w != null) {
            words.add(w.toString());
        }
        return words;
    }

    /** The word after {@code option}. */
    static String option(List<String> words, String option) {
        int i = words.indexOf(option);
        if (i < 0 || i + 1 >= words.size()) {
            throw new AssertionError(option + " not in " + words);
        }
        return words.get(i + 1);
    }
}
