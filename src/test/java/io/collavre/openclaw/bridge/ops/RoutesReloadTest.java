package io.collavre.openclaw.bridge.ops;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RoutesReloadTest {

    @Test
    void aFileLocationNamesTheSameFileRelativeOrAbsolute() {
        Path absolute = Path.of("routes/run-buffer.yaml").toAbsolutePath().normalize();
        assertEquals(absolute, RoutesReload.pathOf("file:routes/run-buffer.yaml"));
        assertEquals(absolute, RoutesReload.pathOf("file:" + absolute));
        assertEquals(absolute, RoutesReload.pathOf("file:routes/../routes/run-buffer.yaml"));
    }

    @Test
    void aLocationThatIsNotAFileNamesNone() {
        assertNull(RoutesReload.pathOf("classpath:routes/run-buffer.yaml"));
        assertNull(RoutesReload.pathOf(null));
    }
}
