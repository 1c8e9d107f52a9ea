package dev.sluice.selector;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Plan;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * A selector topology on a {@link TopologyTestDriver} starting at {@code startMs}: requests in as
 * the bytes clients write, plans and tasks out, so that each topology test sets up only its
 * topology.
 */
final class SelectorDriver implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> requests;
    final TestOutputTopic<String, Plan> plans;
    private final SluiceSerdes serdes;

    SelectorDriver(String applicationId, Path stateDir, SluiceSerdes serdes, Topology topology, long startMs) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        this.serdes = serdes;
        this.driver = new TopologyTestDriver(topology, props, Instant.ofEpochMilli(startMs));
        this.requests = driver.createInputTopic(Topics.DEFAULT.requests(), new StringSerializer(), new ByteArraySerializer());
        this.plans = driver.createOutputTopic(Topics.DEFAULT.plans(), new StringDeserializer(), serdes.<Plan>deserializer());
    }

    TestOutputTopic<String, InferenceTask> tasks(String variant) {
        return driver.createOutputTopic(Topics.DEFAULT.tasks(variant), new StringDeserializer(), serdes.<InferenceTask>deserializer());
    }

    @Override
    public void close() {
        driver.close();
    }
}
