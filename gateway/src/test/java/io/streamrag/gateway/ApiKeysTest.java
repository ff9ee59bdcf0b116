package io.streamrag.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
    @TempDir
    Path dir;

    @Test
    void aKeyMayDoWhatItsHashIsGrantedAndNothingElse() throws IOException {
        Path file = dir.resolve("keys.properties");
        Files.writeString(file, ApiKeys.hash("alice-key") + " = read:docs,wiki write:docs\n"
                + ApiKeys.hash("bob-key") + " = read:*\n");

        ApiKeys keys = ApiKeys.load(file);

        ApiKeys.Grant alice = keys.grantOf("alice-key").orElseThrow();
        assertThat(alice.mayRead("docs")).isTrue();
        assertThat(alice.mayRead("wiki")).isTrue();
        assertThat(alice.mayRead("hr")).isFalse();
        assertThat(alice.mayWrite("docs")).isTrue();
        assertThat(alice.mayWrite("wiki")).isFalse();
        ApiKeys.Grant bob = keys.grantOf("bob-key").orElseThrow();
        assertThat(bob.mayRead("anything")).isTrue();
        assertThat(bob.mayWrite("docs")).isFalse();
        assertThat(keys.grantOf("alice-key ")).isEmpty();
        assertThat(keys.grantOf(ApiKeys.hash("alice-key"))).as("the hash is not a key").isEmpty();
        assertThat(keys.grantOf("")).isEmpty();
    }

    @Test
    void aFileWithKeysInsteadOfHashesOrABadGrantIsRefused() throws IOException {
        Path plain = dir.resolve("plain.properties");
        Files.writeString(plain, "alice-key = read:docs\n");
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, ApiKeys.hash("k") + " = admin:docs\n");

        assertThatThrownBy(() -> ApiKeys.load(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a SHA-256 hex digest");
        assertThatThrownBy(() -> ApiKeys.load(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'admin:docs'");
        assertThatThrownBy(() -> ApiKeys.load(dir.resolve("missing"))).hasMessageContaining("does not exist");
    }
}
