package io.jobstream.coordination.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Redis URIs fit for messages and logs. */
public final class RedisUris {

    private static final Pattern USER_INFO = Pattern.compile("^([a-z-]+://)([^@/]*)@");

    private RedisUris() {}

    /**
     * {@code uri} with its password replaced by {@code ***}: {@code redis://user:***@host:6379} or {@code
     * redis://***@host:6379}; also masks a {@code password=} query parameter.
     */
    public static String masked(String uri) {
        String result = uri;
        Matcher matcher = USER_INFO.matcher(result);
        if (matcher.find()) {
            String userInfo = matcher.group(2);
            int colon = userInfo.indexOf(':');
            String maskedInfo = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
            result = matcher.group(1) + maskedInfo + "@" + result.substring(matcher.end());
        }
        return result.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
