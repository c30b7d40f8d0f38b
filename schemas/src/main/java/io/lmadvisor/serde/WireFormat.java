package io.lmadvisor.serde;

/**
 * Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro
 * binary body.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** The 5-byte header for a schema id. */
    public static byte[] header(int schemaId) {
        byte[] header = new byte[HEADER_SIZE];
        writeHeader(header, schemaId);
        return header;
    }

    /** Writes the header into the first 5 bytes of {@code target}. */
    public static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /** True when the bytes could be a wire-format record (long enough, magic byte 0). */
    public static boolean isWireFormat(byte[] data) {
        return data != null && data.length >= HEADER_SIZE && data[0] == MAGIC_BYTE;
    }

    /**
     * Reads the schema id from the header.
     *
     * @throws NotWireFormatException when the bytes are null, shorter than the header, or do not
     *     start with the magic byte
     */
    public static int schemaId(byte[] data) {
        if (data == null) {
            throw new NotWireFormatException("No bytes (null payload)");
        }
        if (data.length < HEADER_SIZE) {
            throw new NotWireFormatException(
                    "Payload of " + data.length + " bytes is shorter than the 5-byte wire-format header");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new NotWireFormatException(String.format(
                    "Unknown magic byte 0x%02x (expected 0x00): not Confluent wire format", data[0] & 0xff));
        }
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }
}
