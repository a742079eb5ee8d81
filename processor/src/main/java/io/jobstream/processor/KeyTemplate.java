package io.jobstream.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jobstream.schemas.Job;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a job's lock name is made from the job: a template such as {@code account-${payload.accountId}}, or a function.
 *
 * <p>Placeholders:
 *
 * <ul>
 *   <li>{@code ${payload.a.b}}: the field {@code a.b} of the JSON payload (a number index selects an array element,
 *       {@code ${payload.items.0.sku}}); the value must be a string, number or boolean;
 *   <li>{@code ${key}}: the record key, that is the ordering key, else the job id;
 *   <li>{@code ${id}}: the job id; {@code ${type}}: the job type;
 *   <li>{@code ${header.name}}: the job's header {@code name}.
 * </ul>
 *
 * <p>The lock name is the resolved text, each expanded value with {@code %} and {@code /} escaped ({@code %25}, {@code
 * %2F}), so jobs of different types that resolve to the same name share the lock (namespace it with literal text,
 * {@code acct-${payload.accountId}}, when that is not wanted). The processor scopes every lock name by its queue
 * ({@code <queue>/<name>}), so no template, whatever a payload holds, reaches another queue's lock. A template that
 * cannot be resolved for a job (no such field, a null or object value, a payload that is not JSON, an empty value, or a
 * value with {@code {}, {@code }} or control characters, which lock names forbid) gives {@link Resolution.Unresolved};
 * the processor then fails the job, non-retryable, rather than run it unguarded. Immutable and thread-safe.
 *
 * <p>In a YAML config file {@code ${UPPER_CASE}} is environment substitution; a reference starting with a lower-case
 * letter, as every template reference does, is left as written.
 */
public final class KeyTemplate {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final String text;
    private final List<Part> parts;
    private final Function<Job, String> function;

    private KeyTemplate(String text, List<Part> parts, Function<Job, String> function) {
        this.text = text;
        this.parts = parts;
        this.function = function;
    }

    /** What resolving a template for one job gave. */
    public sealed interface Resolution {
        /** The lock name. */
        record Resolved(String key) implements Resolution {}

        /** The job does not have what the template needs; {@code reason} says what is missing. */
        record Unresolved(String reason) implements Resolution {}
    }

    /**
     * Parses {@code template}.
     *
     * @throws IllegalArgumentException naming the problem: an unknown or unterminated placeholder, an empty template,
     *     or {@code {}/{@code }} in the literal text
     */
    public static KeyTemplate parse(String template) {
        Objects.requireNonNull(template, "template");
        if (template.isBlank()) {
            throw new IllegalArgumentException("key template must not be blank");
        }
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            int start = template.indexOf("${", i);
            String literal = start < 0 ? template.substring(i) : template.substring(i, start);
            if (literal.indexOf('{') >= 0 || literal.indexOf('}') >= 0) {
                throw new IllegalArgumentException("key template '" + template + "' has '{' or '}' outside a"
                        + " placeholder; lock names may not contain them");
            }
            if (!literal.isEmpty()) {
                parts.add(new Literal(literal));
            }
            if (start < 0) {
                break;
            }
            int end = template.indexOf('}', start + 2);
            if (end < 0) {
                throw new IllegalArgumentException("key template '" + template + "' has an unterminated ${");
            }
            parts.add(placeholder(template, template.substring(start + 2, end)));
            i = end + 1;
        }
        return new KeyTemplate(template, List.copyOf(parts), null);
    }

    /**
     * A template computed by {@code function}; a function that returns null or blank, or throws, leaves the job
     * unresolved.
     */
    public static KeyTemplate of(Function<Job, String> function) {
        Objects.requireNonNull(function, "function");
        return new KeyTemplate("<function>", List.of(), function);
    }

    /** The lock name for {@code job}, or why there is none. Never throws for a bad job. */
    public Resolution resolve(Job job) {
        Objects.requireNonNull(job, "job");
        String resolved;
        if (function != null) {
            try {
                resolved = function.apply(job);
            } catch (RuntimeException e) {
                return new Resolution.Unresolved("the key function failed: " + e);
            }
            if (resolved == null) {
                return new Resolution.Unresolved("the key function returned null");
            }
        } else {
            StringBuilder out = new StringBuilder();
            JsonNode[] payload = new JsonNode[1];
            for (Part part : parts) {
                String value;
                try {
                    value = part.value(job, payload);
                } catch (Unresolvable e) {
                    return new Resolution.Unresolved(e.getMessage());
                }
                out.append(part instanceof Literal ? value : expansion(value));
            }
            resolved = out.toString();
        }
        if (resolved.isBlank()) {
            return new Resolution.Unresolved("key template " + text + " resolves to an empty name");
        }
        for (int c = 0; c < resolved.length(); c++) {
            char ch = resolved.charAt(c);
            if (ch == '{' || ch == '}' || Character.isISOControl(ch)) {
                return new Resolution.Unresolved("key template " + text + " resolves to a name with '{', '}' or a"
                        + " control character, which lock names may not contain");
            }
        }
        return new Resolution.Resolved(resolved);
    }

    /**
     * An expanded value as it goes into the name: {@code %} and {@code /} written {@code %25} and {@code %2F}, so a
     * value can never pose as the template's own structure ({@code ${payload.a}/${payload.b}} with {@code a = "x/y"}
     * is not {@code a = "x", b = "y/..."}). Other text is kept as it is.
     */
    private static String expansion(String value) {
        if (value.indexOf('%') < 0 && value.indexOf('/') < 0) {
            return value;
        }
        return value.replace("%", "%25").replace("/", "%2F");
    }

    /** The template text ({@code <function>} for a function). */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyTemplate that
                && text.equals(that.text)
                && parts.equals(that.parts)
                && Objects.equals(function, that.function);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private static Part placeholder(String template, String body) {
        switch (body) {
            case "key":
                return Field.KEY;
            case "id":
                return Field.ID;
            case "type":
                return Field.TYPE;
            default:
                break;
        }
        if (body.startsWith("payload.") && body.length() > "payload.".length()) {
            String[] path = body.substring("payload.".length()).split("\\.", -1);
            for (String segment : path) {
                if (segment.isEmpty()) {
                    throw new IllegalArgumentException(
                            "key template '" + template + "' has an empty field name in ${" + body + "}");
                }
            }
            return new PayloadPath(List.of(path));
        }
        if (body.startsWith("header.") && body.length() > "header.".length()) {
            return new Header(body.substring("header.".length()));
        }
        throw new IllegalArgumentException("key template '" + template + "' has an unknown placeholder ${" + body
                + "}: use ${payload.<field>}, ${key}, ${id}, ${type} or ${header.<name>}");
    }

    private static final class Unresolvable extends Exception {
        private static final long serialVersionUID = 1L;

        Unresolvable(String message) {
            super(message, null, false, false);
        }
    }

    private sealed interface Part {
        String value(Job job, JsonNode[] payload) throws Unresolvable;
    }

    private record Literal(String text) implements Part {
        @Override
        public String value(Job job, JsonNode[] payload) {
            return text;
        }
    }

    private enum Field implements Part {
        KEY,
        ID,
        TYPE;

        @Override
        public String value(Job job, JsonNode[] payload) {
            return switch (this) {
                case KEY -> job.getOrderingKey().orElse(job.getId());
                case ID -> job.getId();
                case TYPE -> job.getType();
            };
        }
    }

    private record Header(String name) implements Part {
        @Override
        public String value(Job job, JsonNode[] payload) throws Unresolvable {
            String value = job.getHeaders().get(name);
            if (value == null) {
                throw new Unresolvable("the job has no header '" + name + "' for ${header." + name + "}");
            }
            return value;
        }
    }

    private record PayloadPath(List<String> path) implements Part {
        @Override
        public String value(Job job, JsonNode[] payload) throws Unresolvable {
            String placeholder = "${payload." + String.join(".", path) + "}";
            if (payload[0] == null) {
                ByteBuffer bytes = job.getPayload().duplicate();
                byte[] copy = new byte[bytes.remaining()];
                bytes.get(copy);
                try {
                    payload[0] = JSON.readTree(copy);
                } catch (IOException e) {
                    throw new Unresolvable("the payload is not JSON, so " + placeholder + " cannot be read");
                }
                if (payload[0] == null) {
                    throw new Unresolvable("the payload is empty, so " + placeholder + " cannot be read");
                }
            }
            JsonNode node = payload[0];
            for (String segment : path) {
                if (node.isArray() && segment.length() < 10 && segment.chars().allMatch(Character::isDigit)) {
                    node = node.path(Integer.parseInt(segment));
                } else {
                    node = node.path(segment);
                }
            }
            if (node.isMissingNode() || node.isNull()) {
                throw new Unresolvable("the payload has no value at " + placeholder);
            }
            if (!node.isValueNode()) {
                throw new Unresolvable("the payload's value at " + placeholder + " is not a string, number or boolean");
            }
            return node.asText();
        }
    }
}
