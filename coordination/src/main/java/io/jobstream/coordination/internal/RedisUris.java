package io.jobstream.coordination.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Redis URIs fit for messages and logs. */
public final class RedisUris {

    private static final Pattern SCHEME = Pattern.compile("^[a-z-]+://");

    private RedisUris() {}

    /**
     * {@code uri} with its password replaced by {@code ***}: {@code redis://user:***@host:6379} or {@code
     * redis://***@host:6379}; also masks a {@code password=} query parameter.
     */
    public static String masked(String uri) {
        String result = uri;
        Matcher scheme = SCHEME.matcher(result);
        if (scheme.find()) {
            // the user info ends at the last '@' before the query: a password may hold '@' or '/' unencoded
            int query = result.indexOf('?', scheme.end());
            int at = result.lastIndexOf('@', query < 0 ? result.length() : query);
            if (at >= scheme.end()) {
                String userInfo = result.substring(scheme.end(), at);
                int colon = userInfo.indexOf(':');
                String maskedInfo = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
                result = result.substring(0, scheme.end()) + maskedInfo + result.substring(at);
            }
        }
        return result.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
