package io.jobstream.runtime.http;

import java.util.Objects;
import java.util.Optional;

/**
 * Who sent a request: the token that authenticated it, or anonymous (open routes, or every route while {@code
 * jobstream.runtime.http.auth-required} is false, when anonymous may do everything).
 */
public final class Principal {
    private static final Principal ANONYMOUS = new Principal(null, false);
    private static final Principal UNRESTRICTED = new Principal(null, true);

    private final AccessToken token;
    private final boolean unrestricted;

    private Principal(AccessToken token, boolean unrestricted) {
        this.token = token;
        this.unrestricted = unrestricted;
    }

    /** Nobody: may do nothing a scope guards. */
    public static Principal anonymous() {
        return ANONYMOUS;
    }

    /** Anyone while auth is off (development): may do everything. */
    public static Principal unrestricted() {
        return UNRESTRICTED;
    }

    /** The holder of {@code token}. */
    public static Principal of(AccessToken token) {
        return new Principal(Objects.requireNonNull(token, "token"), false);
    }

    /** The token's name, or {@code anonymous}. */
    public String name() {
        return token == null ? "anonymous" : token.name();
    }

    /** The token, if one authenticated the request. */
    public Optional<AccessToken> token() {
        return Optional.ofNullable(token);
    }

    /** Whether this caller may do {@code scope} on {@code queue}. */
    public boolean allows(Scope scope, String queue) {
        return unrestricted || (token != null && token.allows(scope, queue));
    }

    /**
     * Throws 403 unless this caller may do {@code scope} on {@code queue}. Only for a queue the caller named itself
     * (in the path); for resources found by id, answer 404 instead so nothing about other queues leaks.
     */
    public void require(Scope scope, String queue) {
        if (!allows(scope, queue)) {
            throw new HttpProblem(
                    403, "FORBIDDEN", "token " + name() + " lacks scope " + scope + " for queue " + queue);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
