package io.collavre.openclaw.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HostCpuTest {

    @Test
    void sumsTheEightTimeFieldsAndKeepsSteal() {
        HostCpu cpu = HostCpu.parse("cpu  100 5 20 800 10 1 4 60 7 0");

        assertEquals(new HostCpu(1000, 60), cpu);
    }

    @Test
    void reportsTheStolenShareOfTheTimeBetweenTwoReadings() {
        HostCpu before = HostCpu.parse("cpu  100 0 0 800 0 0 0 100 0 0");
        HostCpu after = HostCpu.parse("cpu  250 0 0 850 0 0 0 150 0 0");

        assertEquals("20%", after.stolenSince(before));
    }

    @Test
    void unknownWhenTheLineIsNotTheAggregateCpuLine() {
        HostCpu before = HostCpu.parse("cpu  100 0 0 800 0 0 0 100 0 0");

        assertEquals("unknown", HostCpu.parse("cpu0 100 0 0 800 0 0 0 100 0 0").stolenSince(before));
        assertEquals("unknown", HostCpu.parse("cpu 1 2 3").stolenSince(before));
        assertEquals("unknown", HostCpu.parse("").stolenSince(before));
    }

    @Test
    void unknownWhenNoTimePassedBetweenTheReadings() {
        HostCpu reading = HostCpu.parse("cpu  100 0 0 800 0 0 0 100 0 0");

        assertEquals("unknown", reading.stolenSince(reading));
    }
}
