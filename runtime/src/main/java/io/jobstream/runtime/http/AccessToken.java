package io.jobstream.runtime.http;

import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.Password;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client's bearer token: its scopes, each for the queues it lists ({@code jobstream.runtime.http.tokens.<name>.*}).
 * A queue entry is a name ({@code emails}), a prefix glob ({@code billing-*}) or {@code *} for every queue.
 *
 * @param name the client's name (logs, tags; never the secret)
 * @param secret what the client sends as {@code Authorization: Bearer <token>}, at least 16 characters
 * @param scopes what it may do
 * @param queues where it may do it
 */
public record AccessToken(String name, Password secret, Set<Scope> scopes, Set<String> queues) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+");
    private static final Pattern QUEUE_GRANT = Pattern.compile("\\*|[a-zA-Z0-9][a-zA-Z0-9._-]{0,248}\\*?");

    /** Validates the fields, naming the key. */
    public AccessToken {
        String prefix = HttpConfig.TOKENS.name() + "." + name;
        Objects.requireNonNull(name, HttpConfig.TOKENS.name() + ".<name>");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(
                    prefix + ": names are lowercase letters and digits (they also appear in env" + " vars)");
        }
        Objects.requireNonNull(secret, prefix + ".token");
        if (secret.value().length() < 16) {
            throw new ConfigException(prefix + ".token must be at least 16 characters long");
        }
        secret.requireReal(prefix + ".token");
        scopes = Set.copyOf(Objects.requireNonNull(scopes, prefix + ".scopes"));
        if (scopes.isEmpty()) {
            throw new ConfigException(prefix + ".scopes must name at least one of " + EnumSet.allOf(Scope.class));
        }
        queues = Set.copyOf(Objects.requireNonNull(queues, prefix + ".queues"));
        if (queues.isEmpty()) {
            throw new ConfigException(prefix + ".queues must name at least one queue, prefix glob (billing-*) or *");
        }
        for (String queue : queues) {
            if (!QUEUE_GRANT.matcher(queue).matches()) {
                throw new ConfigException(prefix + ".queues holds '" + queue + "': expected a queue name, a prefix"
                        + " glob such as billing-*, or *");
            }
        }
    }

    /** A token with {@code scopes} on {@code queues}. */
    public static AccessToken of(String name, String secret, Set<Scope> scopes, Set<String> queues) {
        return new AccessToken(name, Password.of(secret), scopes, queues);
    }

    /** Whether this token may do {@code scope} on {@code queue} ({@link Scope#ADMIN} implies every scope). */
    public boolean allows(Scope scope, String queue) {
        return (scopes.contains(scope) || scopes.contains(Scope.ADMIN)) && covers(queue);
    }

    /** Whether {@code queue} is among this token's queues, whatever the scope. */
    public boolean covers(String queue) {
        for (String grant : queues) {
            if (grant.equals("*")
                    || grant.equals(queue)
                    || (grant.endsWith("*") && queue.startsWith(grant.substring(0, grant.length() - 1)))) {
                return true;
            }
        }
        return false;
    }
}
