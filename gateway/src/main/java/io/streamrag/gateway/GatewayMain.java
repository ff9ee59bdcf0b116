package io.streamrag.gateway;

import io.streamrag.streams.ProcessMain;

/** {@code java io.streamrag.gateway.GatewayMain [--config FILE]}: one gateway, until SIGTERM. */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) {
        int status = ProcessMain.run("gateway", () -> Gateway.start(GatewayConfig.load(
                ProcessMain.configFile("streamrag gateway", args), System.getenv())));
        if (status != 0) {
            System.exit(status);
        }
    }
}
