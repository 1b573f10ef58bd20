package io.collavre.openclaw.bridge.websocket;

import io.collavre.openclaw.bridge.websocket.ReconnectPolicy.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReconnectPolicyTest {

    @Test
    void normalCloseStops() {
        assertEquals(Action.STOP, ReconnectPolicy.actionFor(1000));
    }

    @ParameterizedTest
    @ValueSource(ints = {1001, 1002, 1003, 1005, 1006, 1011, 1012, 1013, 1015, 2999, 3000, 3999})
    void transientCloseCodesReconnect(int code) {
        assertEquals(Action.RECONNECT, ReconnectPolicy.actionFor(code));
    }

    @ParameterizedTest
    @ValueSource(ints = {1008, 4000, 4001, 4003, 4500, 4999})
    void policyAndApplicationCloseCodesAreFatal(int code) {
        assertEquals(Action.FATAL, ReconnectPolicy.actionFor(code));
    }

    @Test
    void abnormalClosureConstantIs1006AndReconnects() {
        assertEquals(1006, ReconnectPolicy.ABNORMAL_CLOSURE);
        assertEquals(Action.RECONNECT, ReconnectPolicy.actionFor(ReconnectPolicy.ABNORMAL_CLOSURE));
    }

    @ParameterizedTest
    @CsvSource({
            "1, 1000",
            "2, 2000",
            "3, 4000",
            "4, 8000",
            "5, 16000",
            "6, 32000",
            "7, 60000",
            "8, 60000",
            "31, 60000",
            "32, 60000",
            "100, 60000",
            "2147483647, 60000"})
    void delayDoublesFromTheBaseUpToTheCap(int attempt, long expectedMillis) {
        assertEquals(expectedMillis, new ReconnectPolicy(1000, 60000).delayMillis(attempt));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, -100})
    void attemptBelowOneUsesTheBaseDelay(int attempt) {
        assertEquals(1000, new ReconnectPolicy(1000, 60000).delayMillis(attempt));
    }

    @Test
    void delayReachesTheCapExactlyWhenItIsAPowerOfTwoOfTheBase() {
        ReconnectPolicy policy = new ReconnectPolicy(500, 4000);

        assertEquals(500, policy.delayMillis(1));
        assertEquals(1000, policy.delayMillis(2));
        assertEquals(2000, policy.delayMillis(3));
        assertEquals(4000, policy.delayMillis(4));
        assertEquals(4000, policy.delayMillis(5));
    }

    @Test
    void baseEqualToMaxGivesAConstantDelay() {
        ReconnectPolicy policy = new ReconnectPolicy(250, 250);

        assertEquals(250, policy.delayMillis(1));
        assertEquals(250, policy.delayMillis(2));
        assertEquals(250, policy.delayMillis(50));
    }

    @Test
    void largeBaseThatOverflowsWhenShiftedIsCapped() {
        ReconnectPolicy policy = new ReconnectPolicy(Long.MAX_VALUE / 4, Long.MAX_VALUE);

        assertEquals(Long.MAX_VALUE / 4, policy.delayMillis(1));
        assertEquals(Long.MAX_VALUE, policy.delayMillis(4));
        assertEquals(Long.MAX_VALUE, policy.delayMillis(31));
    }

    @Test
    void gettersReturnTheConfiguredDelays() {
        ReconnectPolicy policy = new ReconnectPolicy(1000, 60000);

        assertEquals(1000, policy.getBaseDelayMillis());
        assertEquals(60000, policy.getMaxDelayMillis());
    }

    @ParameterizedTest
    @CsvSource({"0, 1000", "-1, 1000", "2000, 1000", "-5, -1"})
    void invalidDelaysAreRejected(long base, long max) {
        assertThrows(IllegalArgumentException.class, () -> new ReconnectPolicy(base, max));
    }
}
