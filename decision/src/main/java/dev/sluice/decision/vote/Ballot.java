package dev.sluice.decision.vote;

/**
 * One member's vote as a result reports it (the Avro {@code Vote} on the wire): who voted, for
 * which label, how sure.
 */
public record Ballot(String member, int label, float confidence) {
}
