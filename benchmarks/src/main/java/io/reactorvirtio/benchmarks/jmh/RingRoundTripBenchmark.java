package io.reactorvirtio.benchmarks.jmh;

import io.reactorvirtio.vhost.internal.vringh.Chain;
import io.reactorvirtio.vhost.internal.vringh.Vringh;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.link.ShmLinkLayout;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.memory.Window;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The raw split ring, driver and device in one thread of one process, on a {@code /dev/shm} file
 * mapped twice (the driver's mapping and the device's, at different addresses, as two processes
 * would have). Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the heap bytes per message,
 * which must be 0 for the ring core.
 *
 * <ul>
 *   <li>{@code oneWay}: driver copies the payload into a buffer and adds it (queue 1), kick
 *       decision; device takes the chain (validated), copies the payload out, completes it,
 *       publishes, notify decision; driver reclaims it.
 *   <li>{@code echo}: the same, and the device writes the payload back into a device-writable
 *       buffer posted on queue 0; the driver reclaims it, copies it out and re-posts the buffer.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class RingRoundTripBenchmark {

  @Param({"64", "496"})
  public int payload;

  static final int N = 256;
  static final int BUF = 512;

  private Path file;
  private SharedRegion driverRegion;
  private SharedRegion deviceRegion;
  private MemorySegment drv;
  private MemorySegment dev;
  private SplitQueueDriver tx;
  private SplitQueueDriver rx;
  private Vringh q1;
  private Vringh q0;
  private Chain in;
  private Chain out;
  private long txBuffers;
  private long rxBuffers;
  private MemorySegment src;
  private MemorySegment dst;
  private int nextTx;

  @Setup(Level.Trial)
  public void setup() {
    file = Path.of("/dev/shm", "rvbench-jmh-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    driverRegion = SharedRegion.create(file, ShmLinkLayout.fileSize(2, N, BUF));
    deviceRegion = SharedRegion.open(file);
    drv = driverRegion.segment();
    dev = deviceRegion.segment();
    rx = SplitQueueDriver.create("q0", geometry(0), Window.identity(drv), true);
    tx = SplitQueueDriver.create("q1", geometry(1), Window.identity(drv), true);
    q0 = Vringh.attach("q0", geometry(0), Window.identity(dev), true, false);
    q1 = Vringh.attach("q1", geometry(1), Window.identity(dev), true, false);
    in = q1.newChain();
    out = q0.newChain();
    rxBuffers = ShmLinkLayout.bufferOffset(2, N, BUF, 0);
    txBuffers = ShmLinkLayout.bufferOffset(2, N, BUF, 1);
    for (int i = 0; i < N; i++) {
      rx.addBuffer(rxBuffers + (long) i * BUF, BUF, true, i);
    }
    rx.kickPrepare();
    src = Arena.ofAuto().allocate(BUF, 8);
    dst = Arena.ofAuto().allocate(BUF, 8);
    for (int i = 0; i < BUF; i++) {
      src.set(ValueLayout.JAVA_BYTE, i, (byte) i);
    }
  }

  private static QueueGeometry geometry(int q) {
    return QueueGeometry.legacy(ShmLinkLayout.ringOffset(q, N), N, ShmLinkLayout.RING_ALIGN);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    deviceRegion.close();
    driverRegion.close();
    driverRegion.unlink();
  }

  /** Driver sends one message on queue 1; the device consumes and completes it; the driver reclaims it. */
  @Benchmark
  public long oneWay() {
    int len = payload;
    int b = nextTx;
    nextTx = (b + 1) & (N - 1);
    long off = txBuffers + (long) b * BUF;
    MemorySegment.copy(src, 0, drv, off, len);
    src.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, src.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + 1);
    if (tx.addBuffer(off, len, false, b) < 0) {
      throw new IllegalStateException("addBuffer: " + tx);
    }
    boolean kick = tx.kickPrepare();
    if (q1.getAvail(in) != Vringh.GOT_CHAIN) {
      throw new IllegalStateException("getAvail: " + q1);
    }
    MemorySegment.copy(dev, in.readableOffset(0), dst, 0, in.readableLength(0));
    q1.addUsed(in.head(), 0);
    q1.publishUsed();
    boolean notify = q1.needNotify();
    int c = tx.pollUsed();
    if (c != b) {
      throw new IllegalStateException("pollUsed returned " + c + ", expected " + b);
    }
    return dst.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + (kick ? 1 : 0) + (notify ? 2 : 0);
  }

  /**
   * Round trip: driver sends on queue 1; device echoes the payload into the next writable buffer
   * of queue 0 and completes both chains; driver reclaims both, copies the echo out, re-posts.
   */
  @Benchmark
  public long echo() {
    int len = payload;
    int b = nextTx;
    nextTx = (b + 1) & (N - 1);
    long off = txBuffers + (long) b * BUF;
    MemorySegment.copy(src, 0, drv, off, len);
    src.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, src.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + 1);
    tx.addBuffer(off, len, false, b);
    boolean kick = tx.kickPrepare();
    // device
    if (q1.getAvail(in) != Vringh.GOT_CHAIN || q0.getAvail(out) != Vringh.GOT_CHAIN) {
      throw new IllegalStateException("getAvail: " + q1 + " / " + q0);
    }
    int n = in.readableLength(0);
    MemorySegment.copy(dev, in.readableOffset(0), dev, out.writableOffset(0), n);
    q0.addUsed(out.head(), n);
    q0.publishUsed();
    boolean notify = q0.needNotify();
    q1.addUsed(in.head(), 0);
    q1.publishUsed();
    // driver
    int r = rx.pollUsed();
    if (r < 0 || rx.lastUsedLen() != len) {
      throw new IllegalStateException("rx.pollUsed: " + r + " " + rx);
    }
    MemorySegment.copy(drv, rxBuffers + (long) r * BUF, dst, 0, len);
    rx.addBuffer(rxBuffers + (long) r * BUF, BUF, true, r);
    boolean kick0 = rx.kickPrepare();
    if (tx.pollUsed() != b) {
      throw new IllegalStateException("tx.pollUsed: " + tx);
    }
    return dst.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + (kick ? 1 : 0) + (notify ? 2 : 0) + (kick0 ? 4 : 0);
  }
}
