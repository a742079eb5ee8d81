package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

/** The shipped log layout writes one line per event, whatever the untrusted text in it. */
class LogLayoutTest {

    @Test
    void aLineBreakInAJobIdCannotForgeALogLine() throws Exception {
        // Given the layout the jobstream command ships
        PatternLayout layout =
                PatternLayout.newBuilder().withPattern(shippedPattern()).build();

        // When a message carries a job id with a CR LF and a forged line after it
        String id = "01J\r\n06:00:00.000 INFO  JobRunner job=admin succeeded";
        String line = layout.toSerializable(Log4jLogEvent.newBuilder()
                .setLevel(Level.WARN)
                .setLoggerName("io.jobstream.processor.internal.JobRunner")
                .setMessage(new SimpleMessage("job failed id=" + id))
                .build());

        // Then it is one line, with the break shown, not made
        assertThat(line.lines()).hasSize(1);
        assertThat(line).contains("id=01J\\r\\n06:00:00.000 INFO");
    }

    @Test
    void withJobstreamLogFormatJsonEachEventIsOneJsonObjectWithAnIsoTimestampAndTheBreakEscaped() throws Exception {
        // Given a JVM logging through the shipped log4j2.xml with JOBSTREAM_LOG_FORMAT=json
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LogOnce.class.getName())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("JOBSTREAM_LOG_FORMAT", "json");
        Process process = builder.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // When its stderr is read, then the one event is one line of JSON
        List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(err).hasSize(1);
        JsonNode event = new ObjectMapper().readTree(lines.getFirst());
        assertThat(event.path("log.level").asText()).isEqualTo("WARN");
        assertThat(event.path("log.logger").asText()).isEqualTo("io.jobstream.processor.internal.JobRunner");
        // with the forged line inside the message, not as a line of its own
        assertThat(event.path("message").asText())
                .isEqualTo("job failed id=01J\r\n06:00:00.000 INFO  JobRunner job=admin succeeded");
        // and an ISO 8601 UTC timestamp
        assertThat(Instant.parse(event.path("@timestamp").asText())).isNotNull();
    }

    private static String shippedPattern() throws Exception {
        try (InputStream in = LogLayoutTest.class.getResourceAsStream("/log4j2.xml")) {
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher matcher =
                    Pattern.compile("<PatternLayout pattern=\"([^\"]+)\"").matcher(xml);
            assertThat(matcher.find()).as("a PatternLayout in log4j2.xml").isTrue();
            return matcher.group(1);
        }
    }
}
