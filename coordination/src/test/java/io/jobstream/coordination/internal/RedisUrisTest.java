package io.jobstream.coordination.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisUrisTest {

    @Test
    void masksThePasswordOfAUserAndPassword() {
        assertThat(RedisUris.masked("redis://app:s3cret@redis.internal:6379/0"))
                .isEqualTo("redis://app:***@redis.internal:6379/0");
    }

    @Test
    void masksAPasswordWithoutUser() {
        assertThat(RedisUris.masked("rediss://s3cret@redis.internal:6380"))
                .isEqualTo("rediss://***@redis.internal:6380");
    }

    @Test
    void masksAPasswordQueryParameter() {
        assertThat(RedisUris.masked("redis-sentinel://h1:26379?sentinelMasterId=m&password=s3cret"))
                .isEqualTo("redis-sentinel://h1:26379?sentinelMasterId=m&password=***");
    }

    @Test
    void leavesAUriWithoutPasswordAlone() {
        assertThat(RedisUris.masked("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    }

    @Test
    void masksAPasswordHoldingAnUnencodedAtSign() {
        // Given a password with '@' and '/' in it, written without percent-encoding
        String uri = "redis://app:p@ss/w@rd@redis.internal:6379/0";

        // Then none of it shows
        assertThat(RedisUris.masked(uri)).isEqualTo("redis://app:***@redis.internal:6379/0");
    }

    @Test
    void masksEveryNodesPasswordOfAClusterUri() {
        assertThat(RedisUris.masked("redis://:s3cret@h1:6379?password=other")).doesNotContain("s3cret", "other");
    }
}
