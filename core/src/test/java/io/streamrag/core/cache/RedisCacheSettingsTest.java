package io.streamrag.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisCacheSettingsTest {

    @Test
    void takesTlsSettingsAndRedactsThePassword() {
        RedisCacheSettings settings = RedisCacheSettings.builder()
                .url("rediss://app:s3cret@cache.example:6380/2")
                .trustStore(Path.of("/etc/redis/trust.p12"))
                .tlsVerify(RedisCacheSettings.TlsVerify.CA)
                .invalidationMode(InvalidationMode.PRECISE).build();

        assertThat(settings.tls()).isTrue();
        assertThat(settings.trustStore()).isEqualTo(Path.of("/etc/redis/trust.p12"));
        assertThat(settings.tlsVerify()).isEqualTo(RedisCacheSettings.TlsVerify.CA);
        assertThat(settings.invalidationMode()).isEqualTo(InvalidationMode.PRECISE);
        assertThat(settings.redactedUrl()).isEqualTo("rediss://***@cache.example:6380/2").doesNotContain("s3cret");
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void defaultsWhenNothingIsSet() {
        RedisCacheSettings settings = RedisCacheSettings.builder().build();
        assertThat(settings.url().toString()).isEqualTo(RedisCacheSettings.DEFAULT_URL);
        assertThat(settings.ttl(CacheLayer.L1)).isEqualTo(Duration.ofHours(1));
        assertThat(settings.ttl(CacheLayer.L2)).isEqualTo(Duration.ofHours(24));
        assertThat(settings.ttl(CacheLayer.L3)).isEqualTo(Duration.ofMinutes(15));
        assertThat(settings.invalidationMode()).isEqualTo(InvalidationMode.COLLECTION);
    }

    @Test
    void rejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> RedisCacheSettings.builder().url("http://localhost:6379"))
                .hasMessageContaining("redis://").hasMessageContaining("http");
        assertThatThrownBy(() -> RedisCacheSettings.builder().ttl(CacheLayer.L1, Duration.ofMillis(10)))
                .hasMessageContaining("L1").hasMessageContaining("PT0.01S");
        assertThatThrownBy(() -> RedisCacheSettings.builder().trustStore(Path.of("x")).build())
                .hasMessageContaining("rediss://");
        assertThatThrownBy(() -> RedisCacheSettings.builder().namespace("a:b")).hasMessageContaining("a:b");
    }
}
