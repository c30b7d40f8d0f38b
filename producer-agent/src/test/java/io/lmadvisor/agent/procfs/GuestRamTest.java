package io.lmadvisor.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GuestRamTest {
    private static final String TCG_QEMU = String.join(
            "\n",
            "55d4c0a00000-55d4c0e00000 r-xp 00000000 08:01 1234 /usr/bin/qemu-system-x86_64",
            "55d4c2000000-55d4c2400000 rw-p 00000000 00:00 0 [heap]",
            "7f0000000000-7f0040000000 rwxp 00000000 00:00 0 ",
            "7f1000000000-7f1010000000 rw-p 00000000 00:00 0 ",
            "7f1010000000-7f1020000000 rw-p 00000000 00:00 0 ",
            "7f1020000000-7f1020001000 ---p 00000000 00:00 0 ",
            "7f2000000000-7f2018000000 rw-p 00000000 00:00 0 ",
            "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]",
            "garbage line");

    @Test
    void parsesMapsIncludingPathsWithSpaces() {
        List<GuestRam.Mapping> maps = GuestRam.parseMaps(
                "7f00-7f00001000 rw-s 00000000 00:05 77 /memfd:memory-backend-memfd (deleted)\nnot a line\n");
        assertEquals(1, maps.size());
        assertEquals("/memfd:memory-backend-memfd (deleted)", maps.get(0).path());
        assertEquals(77, maps.get(0).inode());
    }

    @Test
    void anonymousRamSkipsTcgCodeBufferAndMergesAdjacentPieces() {
        // Without -m: the largest rw non-exec region; the 1 GiB rwx TCG buffer and the heap are not candidates.
        GuestRam ram = GuestRam.locate(GuestRam.parseMaps(TCG_QEMU), null, OptionalLong.empty())
                .orElseThrow();
        assertEquals(0x7f1000000000L, ram.ranges().get(0)[0]);
        assertEquals(0x20000000L / 4096, ram.totalPages()); // two adjacent 256 MiB pieces merged beat 384 MiB
        // With -m 300M the smallest region holding it wins: the 384 MiB one.
        GuestRam hinted = GuestRam.locate(GuestRam.parseMaps(TCG_QEMU), null, OptionalLong.of(300L << 20))
                .orElseThrow();
        assertEquals(0x7f2000000000L, hinted.ranges().get(0)[0]);
    }

    @Test
    void memoryBackendBeatsLargerAnonymousAndOverrideBeatsAll() {
        String maps = TCG_QEMU
                + "\n7f3000000000-7f3008000000 rw-s 00000000 00:2d 99 /dev/hugepages/qemu_back_mem.pc.ram.X (deleted)"
                + "\n7f3100000000-7f3100100000 rw-s 00000000 00:2d 5 /tmp/other-shared";
        GuestRam backend = GuestRam.locate(GuestRam.parseMaps(maps), null, OptionalLong.empty())
                .orElseThrow();
        assertTrue(backend.how().startsWith("memory backend"), backend.how());
        assertEquals(0x8000000L / 4096, backend.totalPages());
        GuestRam forced = GuestRam.locate(
                        GuestRam.parseMaps(maps), Pattern.compile("other-shared$"), OptionalLong.empty())
                .orElseThrow();
        assertEquals(256, forced.totalPages());
        assertTrue(GuestRam.locate(GuestRam.parseMaps(maps), Pattern.compile("nothing"), OptionalLong.empty())
                .isEmpty());
    }

    @Test
    void pageAddressesRunAcrossRanges() {
        GuestRam ram = new GuestRam(List.of(new long[] {0x1000, 0x3000}, new long[] {0x10000, 0x11000}), "test");
        assertEquals(3, ram.totalPages());
        assertEquals(0x2000, ram.pageAddress(1));
        assertEquals(0x10000, ram.pageAddress(2));
    }
}
