package io.lmadvisor.streams.evaluation;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Binary form of {@link CellAccumulator} for its store and changelog. */
public final class CellAccumulatorSerde implements Serde<CellAccumulator> {
    private static final byte FORMAT_VERSION = 1;

    @Override
    public Serializer<CellAccumulator> serializer() {
        return (topic, a) -> {
            if (a == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 40 * a.window.size());
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT_VERSION);
                out.writeLong(a.sinceStartN);
                out.writeLong(a.sinceStartNonZeroN);
                out.writeDouble(a.sinceStartLogSum);
                out.writeLong(a.riskPredictedN);
                out.writeLong(a.riskHappenedN);
                out.writeLong(a.riskHitN);
                out.writeUTF(a.modelVersion);
                out.writeDouble(a.validationGmre);
                out.writeLong(a.updatedAtMs);
                out.writeBoolean(a.driftOpen);
                out.writeInt(a.window.size());
                for (CellAccumulator.Entry e : a.window) {
                    out.writeLong(e.endTimeMs());
                    out.writeUTF(e.migrationId());
                    out.writeDouble(e.relativeError());
                    out.writeBoolean(e.riskPredicted());
                    out.writeBoolean(e.riskHappened());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        };
    }

    @Override
    public Deserializer<CellAccumulator> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                if (in.readByte() != FORMAT_VERSION) {
                    throw new SerializationException("cell accumulator format not supported");
                }
                CellAccumulator a = new CellAccumulator();
                a.sinceStartN = in.readLong();
                a.sinceStartNonZeroN = in.readLong();
                a.sinceStartLogSum = in.readDouble();
                a.riskPredictedN = in.readLong();
                a.riskHappenedN = in.readLong();
                a.riskHitN = in.readLong();
                a.modelVersion = in.readUTF();
                a.validationGmre = in.readDouble();
                a.updatedAtMs = in.readLong();
                a.driftOpen = in.readBoolean();
                for (int n = in.readInt(); n > 0; n--) {
                    a.window.add(new CellAccumulator.Entry(in.readLong(), in.readUTF(), in.readDouble(),
                            in.readBoolean(), in.readBoolean()));
                }
                return a;
            } catch (IOException e) {
                throw new SerializationException("corrupt cell accumulator", e);
            }
        };
    }
}
