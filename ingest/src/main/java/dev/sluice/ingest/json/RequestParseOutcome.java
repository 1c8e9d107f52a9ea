package dev.sluice.ingest.json;

import dev.sluice.avro.InferenceRequest;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@link OipJsonRequestParser} made of one JSON request: an Avro request, or why not. */
public sealed interface RequestParseOutcome {

    /** Parameter the selector turns into an {@code INVALID} result; its value is the reason. */
    String INVALID_REASON_PARAMETER = "sluice.invalid";

    /** Task named on requests whose task could not be read. */
    String UNKNOWN_TASK = "unknown";

    record Parsed(InferenceRequest request) implements RequestParseOutcome {
        public Parsed {
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * The JSON could not become a request. {@code id} is null when the record cannot be answered
     * (no readable id), which sends it to the dead-letter topic; {@code task} is null when unknown.
     */
    record Rejected(String id, String task, String reason) implements RequestParseOutcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }

        public Rejected(String id, String reason) {
            this(id, null, reason);
        }

        public boolean answerable() {
            return id != null;
        }

        /**
         * A request with no inputs that carries the reason, so the pipeline answers the client
         * with an INVALID result through the usual path instead of leaving it waiting.
         */
        public InferenceRequest toInvalidRequest(long nowMs) {
            if (id == null) {
                throw new IllegalStateException("a rejection without an id cannot be answered: " + reason);
            }
            return InferenceRequest.newBuilder()
                    .setId(id)
                    .setTask(task == null ? UNKNOWN_TASK : task)
                    .setCreatedAtMs(nowMs)
                    .setDeadlineMs(nowMs)
                    .setInputs(List.of())
                    .setParameters(Map.of(INVALID_REASON_PARAMETER, reason))
                    .build();
        }
    }
}
