package io.jobstream.runtime.http;

import java.util.Objects;
import java.util.Optional;

/**
 * Who may call an {@link Endpoint}.
 *
 * <ul>
 *   <li>{@link #open()} — anyone, no token (probes and metrics only; never a state-changing route);
 *   <li>{@link #signed()} — the route authenticates the request itself (signed webhooks);
 *   <li>{@link #token()} — any valid token; the route checks the scope on what it finds ({@link
 *       Principal#allows}), answering 404 for what the caller may not see;
 *   <li>{@link #scope(Scope)} — a token with the scope for the queue in the path's {@code {queue}} segment, else 403.
 * </ul>
 *
 * @param kind the kind
 * @param scope the scope, for {@link Kind#SCOPE}
 */
public record Access(Kind kind, Optional<Scope> scope) {
    /** The kinds of access. */
    public enum Kind {
        /** No authentication. */
        OPEN,
        /** The route authenticates (a signature). */
        SIGNED,
        /** Any valid bearer token. */
        TOKEN,
        /** A bearer token with a scope for the path's queue. */
        SCOPE
    }

    /** Validates that only {@link Kind#SCOPE} has a scope. */
    public Access {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(scope, "scope");
        if ((kind == Kind.SCOPE) != scope.isPresent()) {
            throw new IllegalArgumentException("only a SCOPE access names a scope");
        }
    }

    /** Anyone. */
    public static Access open() {
        return new Access(Kind.OPEN, Optional.empty());
    }

    /** The route checks a signature itself. */
    public static Access signed() {
        return new Access(Kind.SIGNED, Optional.empty());
    }

    /** Any valid token. */
    public static Access token() {
        return new Access(Kind.TOKEN, Optional.empty());
    }

    /** A token with {@code scope} for the path's {@code {queue}}. */
    public static Access scope(Scope scope) {
        return new Access(Kind.SCOPE, Optional.of(scope));
    }

    /** Whether the seam checks a bearer token. */
    public boolean needsToken() {
        return kind == Kind.TOKEN || kind == Kind.SCOPE;
    }
}
