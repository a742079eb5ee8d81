package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeterDocsTest {
    /** A catalogue as a module declares one. */
    enum SampleMeters implements MeterCatalogue {
        DONE(MeterSpec.counter("jobstream.sample.done", "Things done | finished", null, "queue", "outcome")),
        WAITING(MeterSpec.gauge("jobstream.sample.waiting", "Things waiting", null, "queue")),
        TOOK(MeterSpec.timer("jobstream.sample.took", "How long a thing took")),
        SIZE(MeterSpec.distribution("jobstream.sample.size", "Things per batch", "things", "queue"));

        private final MeterSpec spec;

        SampleMeters(MeterSpec spec) {
            this.spec = spec;
        }

        @Override
        public MeterSpec spec() {
            return spec;
        }
    }

    @Test
    void rendersOneRowPerEntryWithTypeUnitTagsAndEscapedDescription() {
        // When
        String table = MeterDocs.markdownTable(List.of(SampleMeters.values()));

        // Then
        assertThat(table)
                .isEqualTo("| Metric | Type | Unit | Tags | Description |\n"
                        + "|---|---|---|---|---|\n"
                        + "| `jobstream.sample.done` | counter |  | queue, outcome | Things done \\| finished |\n"
                        + "| `jobstream.sample.waiting` | gauge |  | queue | Things waiting |\n"
                        + "| `jobstream.sample.took` | timer | seconds |  | How long a thing took |\n"
                        + "| `jobstream.sample.size` | distribution | things | queue | Things per batch |\n");
    }

    @Test
    void updatesOnlyTheMarkedSectionOfAFileAndLeavesTheConfigTableAlone(@TempDir Path dir) throws Exception {
        // Given a document with both generated tables
        Path doc = dir.resolve("README.md");
        Files.writeString(
                doc,
                "intro\n" + MeterDocs.START + "\nstale\n" + MeterDocs.END + "\nmiddle\n" + ConfigDocs.START + "\nkeys\n"
                        + ConfigDocs.END + "\n");

        // When
        MeterDocs.main(new String[] {"--update", doc.toString(), SampleMeters.class.getName()});

        // Then
        assertThat(Files.readString(doc))
                .isEqualTo("intro\n" + MeterDocs.START + "\n"
                        + MeterDocs.markdownTable(List.of(SampleMeters.values())) + MeterDocs.END + "\nmiddle\n"
                        + ConfigDocs.START + "\nkeys\n" + ConfigDocs.END + "\n");
        assertThatThrownBy(() -> MeterDocs.replaceTable("no markers", "t"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildsMetersFromTheEntryAndRefusesTagsTheEntryDoesNotList() {
        MeterRegistry registry = new SimpleMeterRegistry();

        // When
        SampleMeters.DONE
                .counter("queue", "q", "outcome", "ok")
                .register(registry)
                .increment();
        SampleMeters.WAITING
                .gauge(new AtomicInteger(3), AtomicInteger::get, "queue", "q")
                .register(registry);

        // Then name, description and tags come from the entry
        assertThat(registry.get("jobstream.sample.done")
                        .tags("queue", "q", "outcome", "ok")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("jobstream.sample.waiting").gauge().getId().getDescription())
                .isEqualTo("Things waiting");
        assertThatThrownBy(() -> SampleMeters.DONE.counter("queue", "q"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[queue, outcome]");
        assertThatThrownBy(() -> SampleMeters.DONE.counter("queue", "q", "job", "id-1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SampleMeters.WAITING.counter("queue", "q"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gauge");
        assertThat(MeterDocs.uncatalogued(registry, List.of(SampleMeters.values())))
                .isEmpty();
    }

    @Test
    void findsMetersThatAreNotInTheCatalogueOrCarryOtherTags() {
        // Given meters registered around the catalogue
        MeterRegistry registry = new SimpleMeterRegistry();
        registry.counter("jobstream.sample.unlisted", "queue", "q");
        registry.counter("jobstream.sample.done", "queue", "q");
        registry.counter("jobstream.sample.waiting", "queue", "q");

        // Then
        assertThat(MeterDocs.uncatalogued(registry, List.of(SampleMeters.values())))
                .containsExactlyInAnyOrder(
                        "jobstream.sample.unlisted: no catalogue entry",
                        "jobstream.sample.done: tags [queue], catalogued [queue, outcome]",
                        "jobstream.sample.waiting: a COUNTER, catalogued as GAUGE");
    }

    @Test
    void namesAreDotSeparatedNounsWithoutUnitsOrTotal() {
        for (String bad : List.of(
                "jobstream.jobs.total",
                "jobstream.consumer.lag.seconds",
                "jobstream_jobs",
                "jobs.completed",
                "jobstream.Jobs")) {
            assertThatThrownBy(() -> MeterSpec.counter(bad, "d", null))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> MeterSpec.gauge("jobstream.jobs.waiting", "d", null, "job"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(MeterSpec.counter("jobstream.dead-letters", "d", null).typeName())
                .isEqualTo("counter");
    }
}
