package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.coordination.internal.Script;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lint: every key a script touches comes from {@code KEYS} (Dragonfly refuses undeclared keys, Redis Cluster needs
 * them to route), never from a built string or {@code ARGV}.
 */
class LuaScriptKeysTest {

    /** Commands without a key argument. */
    private static final Set<String> KEYLESS = Set.of("TIME");

    private static final Pattern CALL = Pattern.compile("redis\\.p?call\\(");
    private static final Pattern LITERAL_CALL =
            Pattern.compile("redis\\.p?call\\(\\s*'([A-Za-z]+)'\\s*(?:,\\s*([^,)]+?)\\s*)?[,)]");
    private static final Pattern KEYS_ENTRY = Pattern.compile("KEYS\\[\\d+]");
    private static final Pattern KEY_LOCAL = Pattern.compile("(?m)^\\s*local\\s+(\\w+)\\s*=\\s*(KEYS\\[\\d+])\\s*$");

    @ParameterizedTest
    @EnumSource(Script.class)
    void everyKeyAScriptTouchesComesFromKeys(Script script) {
        String body = withoutComments(script.body());
        Set<String> keyLocals = new HashSet<>();
        Matcher local = KEY_LOCAL.matcher(body);
        while (local.find()) {
            keyLocals.add(local.group(1));
        }
        for (String name : keyLocals) {
            assertThat(Pattern.compile("(?m)^\\s*" + name + "\\s*=")
                            .matcher(body)
                            .find())
                    .as("%s reassigns the key variable %s", script.fileName(), name)
                    .isFalse();
        }

        List<String> problems = new ArrayList<>();
        int calls = count(CALL.matcher(body));
        Matcher call = LITERAL_CALL.matcher(body);
        int literalCalls = 0;
        while (call.find()) {
            literalCalls++;
            String command = call.group(1).toUpperCase();
            String key = call.group(2);
            if (KEYLESS.contains(command)) {
                continue;
            }
            if (key == null || !(KEYS_ENTRY.matcher(key).matches() || keyLocals.contains(key))) {
                problems.add(command + " on " + key);
            }
        }

        assertThat(literalCalls)
                .as("%s calls redis with a command that is not a literal", script.fileName())
                .isEqualTo(calls);
        assertThat(calls).as("%s calls redis", script.fileName()).isPositive();
        assertThat(problems)
                .as("%s touches keys not taken from KEYS", script.fileName())
                .isEmpty();
    }

    @Test
    void theLintCatchesABuiltKey() {
        String body = "local k = KEYS[1]\nredis.call('GET', k)\nredis.call('SET', 'jobstream:' .. ARGV[1], 'x')\n";
        Matcher call = LITERAL_CALL.matcher(body);
        List<String> keys = new ArrayList<>();
        while (call.find()) {
            keys.add(call.group(2));
        }
        assertThat(keys).containsExactly("k", "'jobstream:' .. ARGV[1]");
        assertThat(KEYS_ENTRY.matcher(keys.get(1)).matches()).isFalse();
    }

    @Test
    void everyScriptFileIsKnown() throws IOException, URISyntaxException {
        Path folder = Path.of(Script.class
                        .getResource(Script.RESOURCE_FOLDER + Script.LOCK_ACQUIRE.fileName())
                        .toURI())
                .getParent();
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".lua")))
                    .containsExactlyInAnyOrderElementsOf(
                            Arrays.stream(Script.values()).map(Script::fileName).toList());
        }
    }

    private static String withoutComments(String body) {
        return body.replaceAll("(?m)--.*$", "");
    }

    private static int count(Matcher matcher) {
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }
}
