package network.engines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node in this JVM, with the modules a search backend needs passed as classpath
 * plugins (the distribution would load them from its modules/ directory, which Maven Central does
 * not publish as such).
 *
 * <p>Configuration comes from system properties set by run.sh: {@code os.home}, {@code os.data},
 * {@code os.logs}, {@code os.http.port}, {@code os.transport.port}. The node runs until the process
 * is signalled (SIGTERM closes it cleanly through the shutdown hook).
 */
public final class OpenSearchNode {

    /** Node's plugin-list constructor is protected; this subclass is the public door to it. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private OpenSearchNode() {}

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path home = Path.of(System.getProperty("os.home", "var/opensearch"));
        Path data = Path.of(System.getProperty("os.data", home.resolve("data").toString()));
        Path logs = Path.of(System.getProperty("os.logs", home.resolve("logs").toString()));
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(data);
        Files.createDirectories(logs);

        Settings settings = Settings.builder()
                .put("cluster.name", System.getProperty("os.cluster", "buyers-network"))
                .put("node.name", "node-1")
                .put("path.home", home.toAbsolutePath().toString())
                .put("path.data", data.toAbsolutePath().toString())
                .put("path.logs", logs.toAbsolutePath().toString())
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", System.getProperty("os.http.port", "9200"))
                .put("transport.port", System.getProperty("os.transport.port", "9300"))
                // CI disks are often nearly full; a test node must not go read-only because of it.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                // With a 512 MB heap the real-memory breaker trips on ordinary bulk requests.
                .put("indices.breaker.total.use_real_memory", false)
                // Tests delete indices by pattern (test_*): allow it.
                .put("action.destructive_requires_name", false)
                .build();

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings, Collections.emptyMap(), home.resolve("config"), () -> "node-1");
        List<Class<? extends Plugin>> plugins = List.of(
                Netty4Plugin.class,
                CommonAnalysisPlugin.class,
                MapperExtrasPlugin.class,
                ReindexPlugin.class,
                PainlessPlugin.class);
        Node node = new EmbeddedNode(environment, plugins);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "opensearch-shutdown"));
        node.start();
        System.out.printf("OpenSearch %s node started in %.1f s%n",
                org.opensearch.Version.CURRENT, (System.nanoTime() - started) / 1e9);
        System.out.flush();
        stopped.await();
    }
}
