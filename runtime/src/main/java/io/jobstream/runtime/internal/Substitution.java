package io.jobstream.runtime.internal;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in config file values, resolved from an environment
 * map. {@code $${} writes a literal {@code ${}. As in a POSIX shell, {@code :-} uses the default
 * when the variable is unset or empty. Environment variables are named as POSIX asks of portable ones:
 * upper-case letters, digits and {@code _}. A reference starting with a lower-case letter ({@code ${payload.accountId}},
 * {@code ${id}}) is not an environment variable: it is left as written, for the key templates some settings take.
 * Stateless.
 */
public final class Substitution {
    /** An environment variable's name. */
    private static final Pattern VARIABLE = Pattern.compile("[A-Z_][A-Z0-9_]*");
    /** A template reference, left as written: {@code ${payload.a.b}}, {@code ${header.x-y}}, {@code ${id}}. */
    private static final Pattern TEMPLATE = Pattern.compile("[a-z][A-Za-z0-9_.\\[\\]-]*");

    private Substitution() {}

    /** Outcome of substituting one value. */
    public sealed interface Result {
        /** All references resolved. */
        record Resolved(String value) implements Result {}

        /** A reference could not be resolved; {@code problem} says why without naming the key. */
        record Unresolved(String problem) implements Result {}
    }

    /** Substitutes every reference in {@code text} using {@code env}. */
    public static Result resolve(String text, Map<String, String> env) {
        if (!text.contains("${")) {
            return new Result.Resolved(text);
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (c != '$' || !text.startsWith("${", i)) {
                out.append(c);
                i++;
                continue;
            }
            int end = text.indexOf('}', i + 2);
            if (end < 0) {
                return new Result.Unresolved("has an unterminated ${ (write $${ for a literal ${)");
            }
            String body = text.substring(i + 2, end);
            if (TEMPLATE.matcher(body).matches()) {
                out.append("${").append(body).append('}');
                i = end + 1;
                continue;
            }
            int sep = body.indexOf(":-");
            String name = sep < 0 ? body : body.substring(0, sep);
            Optional<String> fallback = sep < 0 ? Optional.empty() : Optional.of(body.substring(sep + 2));
            if (!VARIABLE.matcher(name).matches()) {
                return new Result.Unresolved("refers to '${" + body + "}', which is not a valid variable reference"
                        + " (use ${NAME} or ${NAME:-default} with an upper-case NAME)");
            }
            String value = env.get(name);
            if (value == null || (value.isEmpty() && fallback.isPresent())) {
                if (fallback.isEmpty()) {
                    return new Result.Unresolved("refers to environment variable " + name
                            + ", which is not set (set it, or give a default: ${" + name + ":-default})");
                }
                value = fallback.get();
            }
            out.append(value);
            i = end + 1;
        }
        return new Result.Resolved(out.toString());
    }
}
