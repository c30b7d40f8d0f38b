package io.lmadvisor.schemas;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.SlaPolicy;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code SlaPolicy.allowPostCopy} defaults to true (docs/MODEL.md, "allowPostCopy's default"). The Avro
 * default is also what a policy stored before the field existed reads as: flipping it to KubeVirt's false
 * would silently forbid post-copy for every such policy.
 */
class AllowPostCopyDefaultTest {

    @BeforeAll
    static void trustGeneratedClasses() {
        io.lmadvisor.serde.AvroTrust.install();
    }

    @Test
    void aNewPolicyAllowsPostCopy() {
        assertTrue(SlaPolicy.newBuilder().build().getAllowPostCopy());
    }

    @Test
    void aPolicyWrittenBeforeTheFieldExistedReadsAsAllowingPostCopy() throws Exception {
        Schema v1 = new Schema.Parser()
                .parse(SchemaHistory.HISTORY_DIR
                        .resolve(Path.of("SlaPolicy", "v1.avsc"))
                        .toFile());
        GenericRecord old = new GenericData.Record(v1);
        old.put("maxDowntimeMs", 500L);
        old.put("objective", new GenericData.EnumSymbol(v1.getField("objective").schema(), "MIN_TOTAL_TIME"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(v1).write(old, enc);
        enc.flush();
        SlaPolicy read = new SpecificDatumReader<SlaPolicy>(v1, SlaPolicy.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertTrue(read.getAllowPostCopy());
    }
}
