package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
