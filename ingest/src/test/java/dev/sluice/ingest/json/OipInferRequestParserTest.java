package dev.sluice.ingest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.ingest.json.OipInferRequestParser.Call;
import dev.sluice.ingest.json.RequestParseOutcome.Parsed;
import dev.sluice.ingest.json.RequestParseOutcome.Rejected;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An OIP inference body as the gateway receives it: model from the URL, Sluice's envelope in parameters. */
class OipInferRequestParserTest {
    private static final long NOW = 1_700_000_000_000L;
    private final OipInferRequestParser parser = new OipInferRequestParser(
            new OipJsonRequestParser(InstantSource.fixed(Instant.ofEpochMilli(NOW))), 1_000);

    private static final String INPUT = "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[0.5,0.25]}";

    private Call call(String body) {
        return parser.parse("fashion-mnist", body.getBytes(StandardCharsets.UTF_8), "gw-1");
    }

    private InferenceRequest parsed(String body) {
        Call c = call(body);
        return assertInstanceOf(Parsed.class, c.outcome(), () -> "expected Parsed, got " + c.outcome()).request();
    }

    private String refused(String body) {
        Call c = call(body);
        return assertInstanceOf(Rejected.class, c.outcome(), () -> "expected Rejected, got " + c.outcome()).reason();
    }

    @Test
    void theEnvelopeRidesInParametersAndTheRestStaysRequestParameters() {
        Call c = call("{\"id\":\"client-7\",\"parameters\":{\"timeout_ms\":250,\"min_accuracy\":0.9,\"priority\":3,"
                + "\"tenant\":\"acme\",\"tier\":\"gold\",\"policy\":\"infaas\",\"note\":\"kept\"},\"inputs\":[" + INPUT + "]}");
        InferenceRequest r = ((Parsed) c.outcome()).request();
        assertEquals("gw-1", r.getId(), "the Kafka id is the gateway's, unique");
        assertEquals("client-7", c.clientId(), "the client's id is echoed");
        assertEquals("fashion-mnist", r.getTask());
        assertEquals(NOW + 250, r.getDeadlineMs());
        assertEquals(0.9, r.getMinAccuracy());
        assertEquals(3, r.getPriority());
        assertEquals("acme", r.getTenant());
        assertEquals("gold", r.getTier());
        assertEquals("infaas", r.getPolicy());
        assertEquals("kept", r.getParameters().get("note"));
        assertTrue(r.getFinalOnly(), "a call gets one answer");
        assertEquals(List.of(), c.requestedOutputs());
    }

    @Test
    void withoutATimeoutTheDefaultApplies() {
        assertEquals(NOW + 1_000, parsed("{\"inputs\":[" + INPUT + "]}").getDeadlineMs());
        assertEquals(NOW + 40, parsed("{\"parameters\":{\"deadline_ms\":" + (NOW + 40) + "},\"inputs\":[" + INPUT + "]}")
                .getDeadlineMs());
    }

    @Test
    void requestedOutputsAreKeptInOrderAndCheckedByName() {
        Call c = call("{\"outputs\":[{\"name\":\"probabilities\"},{\"name\":\"label\"}],\"inputs\":[" + INPUT + "]}");
        assertEquals(List.of("probabilities", "label"), c.requestedOutputs());
        assertTrue(refused("{\"outputs\":[{\"name\":\"logits\"}],\"inputs\":[" + INPUT + "]}")
                .startsWith("unknown output 'logits' (outputs: label, confidence, probabilities)"));
        assertTrue(refused("{\"outputs\":[{\"name\":\"label\"},{\"name\":\"label\"}],\"inputs\":[" + INPUT + "]}")
                .contains("requested twice"));
        assertTrue(refused("{\"outputs\":\"label\",\"inputs\":[" + INPUT + "]}").contains("'outputs' must be an array"));
    }

    @Test
    void refusesWhatAClientGotWrongByName() {
        assertTrue(refused("{\"timeout_ms\":5,\"inputs\":[" + INPUT + "]}").startsWith("unknown field 'timeout_ms'"));
        assertTrue(refused("{\"model_name\":\"other\",\"inputs\":[" + INPUT + "]}").contains("disagrees with the model"));
        assertTrue(refused("{\"parameters\":[1],\"inputs\":[" + INPUT + "]}").contains("'parameters' must be an object"));
        assertTrue(refused("[]").equals("the body must be a JSON object"));
        assertTrue(refused("{nope").startsWith("not valid JSON"));
        assertTrue(refused("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP16\",\"shape\":[1],\"data\":[1]}]}")
                .contains("'FP16'"));
        Call c = call("{\"id\":\"mine\",\"timeout\":1,\"inputs\":[]}");
        assertEquals("mine", c.clientId(), "a refused call still echoes the client's id");
        Call noId = call("{\"timeout\":1}");
        assertNull(noId.clientId());
    }
}
