package dev.sluice.gateway;

import dev.sluice.ingest.json.OipInferResponse;
import java.util.Objects;

/** What the gateway tells a client about one inference call: a response, or a failure of one {@link Kind}. */
public sealed interface GatewayAnswer {

    /** Why a call got no answer, with the HTTP status a KServe v2 client expects. */
    enum Kind {
        /** bad request (unparseable, wrong shape or datatype, unknown output; or INVALID from the pipeline) */
        INVALID(400),
        /** no such model (task) */
        NOT_FOUND(404),
        /** the gateway's in-flight bound is full: retry later */
        BUSY(429),
        /** the pipeline's admission refused it (REJECTED: no variant meets the floor within the deadline under this load) */
        REJECTED(503),
        /** the deadline passed (DEADLINE_EXCEEDED from the pipeline, or no result in time) */
        DEADLINE_EXCEEDED(504),
        /** the gateway cannot reach Kafka, or is stopping */
        UNAVAILABLE(503),
        /** a bug */
        INTERNAL(500);

        private final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    /** An answer (OK or PARTIAL), or a pipeline result that carries an error (then {@link #failure()} is set). */
    record Answered(OipInferResponse response, Kind failure) implements GatewayAnswer {
        public Answered {
            Objects.requireNonNull(response, "response");
        }
    }

    /** Refused or failed before the pipeline answered. */
    record Failed(Kind kind, String message, String clientId) implements GatewayAnswer {
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The outcome as a metric tag: ok, partial, or a failure kind in lower case. */
    default String outcome() {
        if (this instanceof Answered a) {
            return a.failure() != null ? a.failure().name().toLowerCase(java.util.Locale.ROOT)
                    : a.response().status().name().toLowerCase(java.util.Locale.ROOT);
        }
        return ((Failed) this).kind().name().toLowerCase(java.util.Locale.ROOT);
    }
}
