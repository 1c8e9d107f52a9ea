package dev.sluice.ingest.json;

/** A structural problem in one field of a JSON request; the message is the client-facing reason. */
final class InvalidFieldException extends RuntimeException {
    InvalidFieldException(String reason) {
        // no stack trace: this is control flow for bad input, not a bug
        super(reason, null, false, false);
    }
}
