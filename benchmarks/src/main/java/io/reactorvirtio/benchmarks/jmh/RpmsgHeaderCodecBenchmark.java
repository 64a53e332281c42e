package io.reactorvirtio.benchmarks.jmh;

import io.reactorvirtio.rpmsg.internal.wire.InboundFrame;
import io.reactorvirtio.rpmsg.internal.wire.RpmsgHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The rpmsg header codec on a 512-byte native buffer, as the bus uses it per message: encode a
 * header, decode its fields, classify an inbound frame (length check, name-service / address-service
 * / data). Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RpmsgHeaderCodecBenchmark {

  private Arena arena;
  private MemorySegment buffer;
  private int seq;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofConfined();
    buffer = arena.allocate(512, 16);
    RpmsgHeader.write(buffer, 0, 1024, 1025, 64);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  @Benchmark
  public int encode() {
    RpmsgHeader.write(buffer, 0, 1024, 1025 + (seq++ & 7), 64);
    return seq;
  }

  @Benchmark
  public int decode() {
    return RpmsgHeader.src(buffer, 0) ^ RpmsgHeader.dst(buffer, 0) ^ RpmsgHeader.len(buffer, 0)
        ^ RpmsgHeader.flags(buffer, 0);
  }

  @Benchmark
  public int classify() {
    return InboundFrame.classify(buffer, true, false);
  }
}
