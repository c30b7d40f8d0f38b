package io.lmadvisor.streams.profile;

import java.util.TreeMap;

/**
 * One VM's open windows (by start, usually one or two within grace), the end of the last window
 * already emitted (anything older is late), late samples since the last profile, and when the last
 * sample arrived by the wall clock (a VM quiet for longer than grace gets its windows closed).
 */
public final class VmWindowState {
    final TreeMap<Long, ProfileAccumulator> open = new TreeMap<>();
    long closedUpToMs = Long.MIN_VALUE;
    int lateSinceLastProfile;
    long lastSampleWallMs;
}
