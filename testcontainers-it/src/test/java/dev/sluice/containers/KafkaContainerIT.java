package dev.sluice.containers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ingest.load.RunSummary;
import dev.sluice.schemas.SluiceSerdes;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The pipeline against Apache Kafka's own image (a KRaft broker in a container, the same version
 * as the kafka-clients on the classpath) rather than the in-JVM broker of the other ITs: the
 * selector, executors and aggregator reach it over the container's mapped port.
 */
@ExtendWith(DockerRequired.class)
class KafkaContainerIT {
    static final DockerImageName KAFKA = DockerImageName.parse("apache/kafka:" + AppInfoParser.getVersion());

    @Test
    void everyRequestGetsExactlyOneAnswerThroughABrokerInAContainer() throws Exception {
        try (KafkaContainer kafka = new KafkaContainer(KAFKA)) {
            kafka.start();
            RunSummary summary = ContainerPipeline.serve(kafka.getBootstrapServers(), SluiceSerdes.fingerprint(), 200, "tc-kafka");
            assertTrue(summary.accuracy() > 0.8, summary::table);
        }
    }
}
