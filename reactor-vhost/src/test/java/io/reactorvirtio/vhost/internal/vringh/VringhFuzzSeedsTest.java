package io.reactorvirtio.vhost.internal.vringh;

import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_INDIRECT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_NEXT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.vhost.internal.vringh.VringhFuzzTest.HostileRing;
import io.reactorvirtio.vhost.internal.vringh.VringhFuzzTest.Summary;
import io.reactorvirtio.virtio.RingViolation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seed corpus of {@link VringhFuzzTest}, written by the same harness (vm-virtio writes its
 * fuzz corpus from unit tests the same way): each seed is built here in the harness's input
 * format, run, and its outcome asserted, so the seeds stay meaningful when the format changes.
 *
 * <p>The seed files under {@code src/test/resources/.../VringhFuzzTestInputs/getAvailOnHostileRing/}
 * must equal what this class builds; regenerate them after changing the format with
 * {@code mvn -pl reactor-vhost test -Dtest=VringhFuzzSeedsTest -Dvringh.fuzz.writeSeeds=true}.
 */
class VringhFuzzSeedsTest {

  static final String INPUTS = "VringhFuzzTestInputs/getAvailOnHostileRing/";
  static final Path SOURCE_DIR = Path.of("src/test/resources/io/reactorvirtio/vhost/internal/vringh", INPUTS);

  // Operations (the harness reads u8 op % 8).
  static final int GET = 0;
  static final int ADD_USED = 2;
  static final int PUBLISH = 3;
  static final int NEED_NOTIFY = 4;
  static final int ENABLE = 5;
  static final int DISABLE = 6;
  static final int DRIVER = 7;

  /** Builds an input in the harness's format (see {@link VringhFuzzTest}). */
  static final class Seed {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Seed u8(int v) {
      out.write(v);
      return this;
    }

    Seed u16(int v) {
      return u8(v & 0xFF).u8(v >>> 8 & 0xFF);
    }

    Seed u32(long v) {
      return u16((int) v & 0xFFFF).u16((int) (v >>> 16) & 0xFFFF);
    }

    Seed u64(long v) {
      return u32(v & 0xFFFF_FFFFL).u32(v >>> 32);
    }

    /** Header: size 2^sizeExp, EVENT_IDX, INDIRECT_DESC, used.idx at attach, pending heads, avail.flags 0. */
    Seed header(int sizeExp, boolean eventIdx, boolean indirect, int usedStart, int pending) {
      return u8(sizeExp).u8((eventIdx ? 1 : 0) | (indirect ? 2 : 0)).u16(usedStart).u8(pending).u8(0).u16(0);
    }

    /** avail.ring from the device's start slot on (one entry per queue slot). */
    Seed heads(int... heads) {
      for (int h : heads) {
        u8(h);
      }
      return this;
    }

    /** A buffer at data offset {@code dataOffset}, {@code len} < 512 bytes. */
    Seed buffer(int dataOffset, int len, int flags, int next) {
      return u8(0).u16(dataOffset).u8(0).u16(len).u8(flags).u8(next);
    }

    /** A descriptor pointing at indirect table {@code t} with {@code entries} entries. */
    Seed indirectTable(int t, int entries, int flags, int next) {
      return u8(4).u8(t).u8(6).u8(entries).u8(flags).u8(next);
    }

    /** A descriptor at an edge address (mode 6, see the format) of length {@code len} < 512. */
    Seed edge(int e, int len, int flags, int next) {
      return u8(6).u8(e).u8(0).u16(len).u8(flags).u8(next);
    }

    /** An unused descriptor (address from the data area, length 0, no flags). */
    Seed unused() {
      return buffer(0, 0, 0, 0);
    }

    Seed ops(int... ops) {
      for (int op : ops) {
        u8(op);
      }
      return this;
    }

    /** A getAvail that does not abandon what it takes (the harness reads a byte after each getAvail). */
    Seed get() {
      return u8(GET).u8(0);
    }

    Seed addUsed(int pick, long len) {
      return u8(ADD_USED).u8(pick).u32(len);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  record Case(String name, byte[] input, Consumer<Summary> expect) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Map<String, Case> cases() {
    Map<String, Case> cases = new LinkedHashMap<>();
    add(cases, "direct-chains", directChains(), s -> {
      assertThat(s.size()).isEqualTo(8);
      assertThat(s.chains()).isEqualTo(4);
      assertThat(s.empties()).isPositive();
      assertThat(s.completed()).isEqualTo(4);
      assertThat(s.published()).isEqualTo(4);
      assertThat(s.violation()).isNull();
    });
    add(cases, "indirect-event-idx-wrap", indirectWithEventIdxAcrossTheWrap(), s -> {
      assertThat(s.size()).isEqualTo(4);
      assertThat(s.chains()).isEqualTo(3); // two, then one of them again after completion and re-publication
      assertThat(s.published()).isEqualTo(2);
      assertThat(s.violation()).isNull();
    });
    add(cases, "loop", loop(), s -> {
      assertThat(s.violation()).isEqualTo(RingViolation.DESCRIPTOR_LOOP);
      assertThat(s.brokenResults()).isGreaterThanOrEqualTo(2);
    });
    add(cases, "out-of-window", outOfWindow(), s -> {
      assertThat(s.chains()).isEqualTo(1);
      assertThat(s.violation()).isEqualTo(RingViolation.BUFFER_OUT_OF_WINDOW);
    });
    add(cases, "avail-idx-jump", availIdxJump(), s -> assertThat(s.violation()).isEqualTo(RingViolation.AVAIL_IDX_JUMP));
    add(cases, "nested-indirect", nestedIndirect(), s -> assertThat(s.violation()).isEqualTo(RingViolation.NESTED_INDIRECT));
    add(cases, "readable-after-writable", readableAfterWritable(),
        s -> assertThat(s.violation()).isEqualTo(RingViolation.READABLE_AFTER_WRITABLE));
    add(cases, "driver-keeps-writing", driverKeepsWriting(), s -> {
      assertThat(s.chains()).isEqualTo(3);
      assertThat(s.violation()).isEqualTo(RingViolation.HEAD_OUT_OF_RANGE);
    });
    for (int seed = 1; seed <= 3; seed++) {
      byte[] random = new byte[1024];
      new Random(seed).nextBytes(random);
      add(cases, "random-" + seed, random, s -> {});
    }
    return cases;
  }

  private static void add(Map<String, Case> cases, String name, byte[] input, Consumer<Summary> expect) {
    cases.put(name, new Case(name, input, expect));
  }

  /** Four chains of one, two or three buffers, readable then writable; all taken and completed. */
  static byte[] directChains() {
    Seed s = new Seed().header(3, false, false, 0, 4).heads(0, 2, 4, 6, 0, 0, 0, 0);
    s.buffer(0x000, 64, DESC_F_NEXT, 1)         // 0 -> 1
        .buffer(0x100, 128, DESC_F_WRITE, 0)    // 1
        .buffer(0x200, 16, 0, 0)                // 2
        .unused()                               // 3
        .buffer(0x300, 32, DESC_F_WRITE, 0)     // 4
        .unused()                               // 5
        .buffer(0x400, 8, DESC_F_NEXT, 7)       // 6 -> 7
        .buffer(0x500, 8, DESC_F_WRITE, 0);     // 7
    s.u8(0).u8(0).u8(0).u8(0); // no indirect tables
    s.u8(20 - 8);
    s.get().get().get().get().get();
    s.addUsed(0, 10).addUsed(0, 0).addUsed(1, 32).addUsed(0, 8);
    s.ops(PUBLISH, NEED_NOTIFY, ENABLE, NEED_NOTIFY, DISABLE);
    s.get();
    return s.bytes();
  }

  /**
   * EVENT_IDX and INDIRECT_DESC, used.idx starting just below the 2^16 wrap: a chain through an
   * indirect table (two readable, one writable) and a direct one; both completed, then the driver
   * makes one of them available again and the device takes it.
   */
  static byte[] indirectWithEventIdxAcrossTheWrap() {
    Seed s = new Seed().header(2, true, true, 0xFFFF, 2).heads(1, 3, 0, 0);
    s.unused()
        .indirectTable(0, 3, DESC_F_INDIRECT, 0) // 1: table 0, 3 entries
        .unused()
        .buffer(0x600, 100, DESC_F_WRITE, 0);    // 3
    s.u8(3) // table 0: three entries
        .buffer(0x700, 20, DESC_F_NEXT, 1)
        .buffer(0x800, 20, DESC_F_NEXT, 2)
        .buffer(0x900, 40, DESC_F_WRITE, 0);
    s.u8(0).u8(0).u8(0);
    s.u8(16 - 8);
    s.get().get().get();
    s.addUsed(1, 7).addUsed(0, 40);
    s.ops(PUBLISH, NEED_NOTIFY, ENABLE);
    s.u8(DRIVER).u8(0).u8(1).u8(1); // the driver makes head 1 available again
    s.get().get();
    return s.bytes();
  }

  static byte[] loop() {
    Seed s = new Seed().header(3, false, false, 0, 1).heads(0, 0, 0, 0, 0, 0, 0, 0);
    s.buffer(0, 16, DESC_F_NEXT, 1).buffer(16, 16, DESC_F_NEXT, 2).buffer(32, 16, DESC_F_NEXT, 0);
    for (int i = 3; i < 8; i++) {
      s.unused();
    }
    s.u8(0).u8(0).u8(0).u8(0);
    s.u8(0);
    s.get().get().get();
    return s.bytes();
  }

  /** The second chain's writable buffer starts 4 bytes past the window's end. */
  static byte[] outOfWindow() {
    Seed s = new Seed().header(1, false, false, 0x8000, 2).heads(0, 1);
    s.buffer(0, 64, 0, 0).edge(1 | 4 << 2, 1, DESC_F_WRITE, 0);
    s.u8(0).u8(0).u8(0).u8(0);
    s.u8(0);
    s.get().get().get();
    return s.bytes();
  }

  /** avail.idx 0x100 ahead of the device on a queue of 8 (raw avail.idx through the 0xF0 escape). */
  static byte[] availIdxJump() {
    Seed s = new Seed().u8(3).u8(0).u16(0).u8(0xF0).u16(0x100).u8(0).u16(0).heads(0, 0, 0, 0, 0, 0, 0, 0);
    for (int i = 0; i < 8; i++) {
      s.buffer(16 * i, 16, 0, 0);
    }
    s.u8(0).u8(0).u8(0).u8(0);
    s.u8(0);
    s.get().get();
    return s.bytes();
  }

  /** Table 1's second entry points at table 2. */
  static byte[] nestedIndirect() {
    Seed s = new Seed().header(2, false, true, 0, 1).heads(0, 0, 0, 0);
    s.indirectTable(1, 2, DESC_F_INDIRECT, 0).unused().unused().unused();
    s.u8(0);
    s.u8(2).buffer(0, 16, DESC_F_NEXT, 1).indirectTable(2, 1, DESC_F_INDIRECT, 0);
    s.u8(1).buffer(0x40, 16, 0, 0);
    s.u8(0);
    s.u8(0);
    s.get().get();
    return s.bytes();
  }

  static byte[] readableAfterWritable() {
    Seed s = new Seed().header(2, false, false, 7, 1).heads(2, 0, 0, 0);
    s.unused().unused().buffer(0, 16, DESC_F_WRITE | DESC_F_NEXT, 3).buffer(0x10, 16, 0, 0);
    s.u8(0).u8(0).u8(0).u8(0);
    s.u8(0);
    s.get().get();
    return s.bytes();
  }

  /**
   * The driver rewrites descriptors and publishes more heads while the device works: three good
   * chains, then a head out of range (raw 0x1234 through the 0xF8 escape).
   */
  static byte[] driverKeepsWriting() {
    Seed s = new Seed().header(2, false, false, 0, 1).heads(0, 0, 0, 0);
    s.buffer(0, 16, 0, 0).unused().unused().unused();
    s.u8(0).u8(0).u8(0).u8(0);
    s.u8(24 - 8);
    s.get().addUsed(0, 16).ops(PUBLISH);
    s.u8(DRIVER).u8(1).u8(1).buffer(0x80, 32, DESC_F_WRITE, 0); // desc[1] rewritten
    s.u8(DRIVER).u8(0).u8(2).u8(1).u8(0);                       // heads 1 and 0 made available
    s.get().get().addUsed(0, 0).addUsed(0, 32).ops(PUBLISH);
    s.u8(DRIVER).u8(2).u16(0);                                   // avail.flags = 0
    s.u8(DRIVER).u8(0).u8(1).u8(0xF8).u16(0x1234);              // head 0x1234 made available
    s.get().get();
    return s.bytes();
  }

  // ---------------------------------------------------------------------------------------------

  static Iterable<Case> seeds() {
    return cases().values();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void seedDoesWhatItSays(Case c) {
    Summary s = HostileRing.run(c.input());
    c.expect().accept(s);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void seedFileIsUpToDate(Case c) throws IOException {
    if (Boolean.getBoolean("vringh.fuzz.writeSeeds")) {
      Files.createDirectories(SOURCE_DIR);
      Files.write(SOURCE_DIR.resolve(c.name()), c.input());
    }
    try (InputStream committed = VringhFuzzSeedsTest.class.getResourceAsStream(INPUTS + c.name())) {
      byte[] onDisk = committed != null ? committed.readAllBytes() : Files.readAllBytes(SOURCE_DIR.resolve(c.name()));
      assertThat(onDisk)
          .as("seed %s differs from what VringhFuzzSeedsTest builds; regenerate with -Dvringh.fuzz.writeSeeds=true",
              c.name())
          .isEqualTo(c.input());
    }
  }

  /** An empty input (what Jazzer also runs first) is a queue of one with nothing available. */
  @Test
  void emptyInput() {
    Summary s = HostileRing.run(new byte[0]);
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.chains()).isZero();
    assertThat(s.empties()).isEqualTo(8);
    assertThat(s.violation()).isNull();
  }
}
