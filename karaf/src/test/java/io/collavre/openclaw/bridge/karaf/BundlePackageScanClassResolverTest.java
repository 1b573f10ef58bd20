package io.collavre.openclaw.bridge.karaf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BundlePackageScanClassResolverTest {

    @Test
    void bundleEntryPathsBecomeClassNames() {
        assertEquals("io.collavre.openclaw.bridge.gateway.GatewayAccountRoutes", BundlePackageScanClassResolver
                .className("/io/collavre/openclaw/bridge/gateway/GatewayAccountRoutes.class"));
        assertEquals("io.collavre.openclaw.bridge.chat.RunBuffer",
                BundlePackageScanClassResolver.className("io/collavre/openclaw/bridge/chat/RunBuffer.class"));
        assertEquals("io.collavre.X$Inner", BundlePackageScanClassResolver.className("/io/collavre/X$Inner.class"));
    }
}
