package org.lrgrad.bench.experiment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What ran the experiment: the CPU, its cores, the OS, the JVM; timings mean little without it. */
record Machine(String cpu, int cores, String os, String java) {

  static Machine current() {
    return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
  }

  /** The system's load average over the last minute (other processes competing for the cores), or -1. */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** The CPU's model name from /proc/cpuinfo (Linux), else the architecture. */
  private static String cpuModel() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      for (String line : lines) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | SecurityException e) {
      // Not Linux, or not readable: the architecture is all we can say.
    }
    return System.getProperty("os.arch");
  }

  @Override
  public String toString() {
    return cpu + ", " + cores + " cores, " + os + ", " + java;
  }
}
