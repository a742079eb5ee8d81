package io.jobstream.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.acl.RoleAcls.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/OPERATIONS.md's ACL table and kafka-acls.sh example are {@link RoleAcls}, rendered: the ACLs {@link KafkaAclsIT}
 * proves enough are the ones an operator reads. Run with {@code -Djobstream.docs.update=true} to rewrite them.
 */
class RoleAclsDocsTest {
    private static final Path DOC = Path.of("..", "docs", "OPERATIONS.md");
    private static final String TABLE = "role-acls";
    private static final String SCRIPT = "role-acls-script";

    @Test
    void theOperatorsGuideListsExactlyTheAclsTheIntegrationTestGrants() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        String rendered = between(
                between(doc, TABLE, RoleAcls.markdownTable()),
                SCRIPT,
                "```bash\n" + RoleAcls.kafkaAclsScript("jobs") + "```\n");
        if (Boolean.getBoolean("jobstream.docs.update")) {
            Files.writeString(DOC, rendered, StandardCharsets.UTF_8);
            doc = rendered;
        }
        assertThat(doc)
                .as("docs/OPERATIONS.md differs from RoleAcls: run RoleAclsDocsTest with -Djobstream.docs.update=true")
                .isEqualTo(rendered);
    }

    @Test
    void theExampleGrantsEveryRoleItsOwnUserOnTheQueuesNames() {
        String script = RoleAcls.kafkaAclsScript("jobs");
        for (Role role : Role.values()) {
            assertThat(script).contains("# " + role.command(), "User:" + RoleAcls.principal(role));
        }
        assertThat(script)
                .contains(
                        "--group jobs.workers", "--transactional-id jobs.dlq-router- --resource-pattern-type prefixed")
                .doesNotContain(RoleAcls.QUEUE);
    }

    /** {@code doc} with the text between the {@code marker}'s begin and end comments replaced by {@code content}. */
    private static String between(String doc, String marker, String content) {
        int begin = doc.indexOf("<!-- " + marker + ":begin");
        int end = doc.indexOf("<!-- " + marker + ":end -->");
        assertThat(begin)
                .as("docs/OPERATIONS.md has the marker %s:begin", marker)
                .isNotNegative();
        assertThat(end)
                .as("docs/OPERATIONS.md has the marker %s:end after its begin", marker)
                .isGreaterThan(begin);
        int afterBegin = doc.indexOf('\n', begin) + 1;
        return doc.substring(0, afterBegin) + content + doc.substring(end);
    }
}
