package dev.sluice.launcher;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a requests file as {@code bench.OutcomesCsv} writes it (a header, then one row per
 * request: policy,request_id,sent_ms,deadline_ms,received_ms,status,on_time,label,true_label,
 * variants,ingest_ms,select_ms,queue_ms,compute_ms,aggregate_ms,reason; a field with commas or
 * quotes double-quoted). Shared by the readers that go back to a pipeline side's file.
 */
final class RequestsCsv {
    static final int POLICY = 0;
    static final int SENT_MS = 2;
    static final int STATUS = 5;
    static final int VARIANTS = 9;
    static final int INGEST_MS = 10;
    static final int SELECT_MS = 11;
    static final int COMPUTE_MS = 13;

    private static final ObjectReader ROWS = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY).readerFor(String[].class);

    private RequestsCsv() {}

    /** Every row after the header, as its fields. */
    static void forEachRow(Path csv, Consumer<String[]> row) {
        try (MappingIterator<String[]> rows = ROWS.readValues(csv.toFile())) {
            if (rows.hasNext()) {
                rows.next(); // the header
            }
            while (rows.hasNext()) {
                row.accept(rows.next());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv, e);
        }
    }

    /** The fields of one line. */
    static List<String> fields(String line) {
        try (MappingIterator<String[]> row = ROWS.readValues(line)) {
            return List.of(row.next());
        } catch (IOException e) {
            throw new UncheckedIOException("not a CSV line: " + line, e);
        }
    }
}
