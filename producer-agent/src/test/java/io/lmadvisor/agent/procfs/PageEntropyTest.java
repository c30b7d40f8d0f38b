package io.lmadvisor.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PageEntropyTest {
    private final int[] histogram = new int[256];

    @Test
    void constantPageHasZeroEntropy() {
        assertEquals(0.0, PageSampler.byteEntropy(new byte[4096], histogram), 1e-12);
        assertEquals(4096, histogram[0]);
    }

    @Test
    void everyByteValueEquallyOftenIsOne() {
        byte[] page = new byte[4096];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) i;
        }
        assertEquals(1.0, PageSampler.byteEntropy(page, histogram), 1e-12);
    }

    @Test
    void twoAndFourEquallyLikelyValuesAreOneAndTwoBits() {
        byte[] two = new byte[4096];
        byte[] four = new byte[4096];
        for (int i = 0; i < 4096; i++) {
            two[i] = (byte) (i % 2 == 0 ? 7 : 9);
            four[i] = (byte) (i % 4);
        }
        assertEquals(1.0 / 8, PageSampler.byteEntropy(two, histogram), 1e-12);
        assertEquals(2.0 / 8, PageSampler.byteEntropy(four, histogram), 1e-12);
    }
}
