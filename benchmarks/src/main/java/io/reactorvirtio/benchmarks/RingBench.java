package io.reactorvirtio.benchmarks;

import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two-process benchmark of virtio split rings in shared memory. The parent (this JVM) is the
 * driver: it creates each figure's link file under {@code /dev/shm}, and measures; the peer (a
 * child JVM started from the same jar) is the device. Figures:
 *
 * <ul>
 *   <li>raw ring ({@code SplitQueueDriver} against {@code Vringh}, no Reactor): one-way messages/s
 *       and round-trip latency, with both sides spinning ({@code busy}) or parking in the kernel
 *       on futex doorbells ({@code futex});
 *   <li>Flux API ({@code VirtioShmLink}/{@code VhostShmLink} with {@code send}/{@code receive}):
 *       the same, for the idle policies busyPoll, spinThenPark(50 µs) and parkOnly.
 * </ul>
 *
 * <p>Every message carries a sequence number and a checked payload; a lost, duplicated, reordered
 * or corrupted message, or a peer that does not start or answer within 10 s, fails the run
 * (exit 1, no table). Each figure is bracketed by a cache-line ping-pong in the parent, which
 * labels it near, far or mixed (the host moves the two vCPUs; FACTS §11).
 */
public final class RingBench {

  private static final String USAGE = """
      usage: benchmarks.jar ring [options]
        --quick               ~20 s smoke run (warm-up 0.25 s, measure 0.5 s, cache-line probe 0.06 s)
        --only raw|flux       run only the raw-ring or only the Flux-API figures
        --kinds oneway,rtt    which figures (default both)
        --payloads 64,496     message lengths in bytes (default 64,496)
        --flux-modes LIST     flux idle policies: busyPoll, spinNNus, parkOnly (default busyPoll,spin50us,parkOnly)
        --raw-modes LIST      busy, futex (default both)
        --warmup-ms N         warm-up per figure (default 1500)
        --measure-ms N        measured interval per figure (default 3000)
        --cl-ms N             cache-line ping-pong per probe (default 500)
        --futex-spin-us N     raw futex mode: spin this long before parking (default 0: park at once)
        --queue-size N        descriptors per queue (default 256)
        --buffer-size N       bytes per buffer (default 512)
        --only LIST           also: rpmsg (our rpmsg, Flux API), tcp (Reactor Netty on 127.0.0.1), agrona
                              (OneToOneRingBuffer in /dev/shm), cl (two-process cache-line ping-pong)
        --rpmsg-modes LIST    rpmsg idle policies (default busyPoll)
        --only ...,spring     also: our rpmsg through a Spring Boot @RpmsgEndpoint method in the peer (the parent
                              is the rpmsg driver, unchanged)
        --spring-modes LIST   the @RpmsgEndpoint link's idle policy (default busyPoll)
        --policies LIST       poller policies (e.g. busyPoll,spin50us,parkOnly): flux, rpmsg, spring round trip at
                              --policy-payload B (default 64), and the CPU an idle flux link costs (--idle-ms, default 4000)
        --interleave          order the figures by payload and kind, systems side by side (compare's default)
        --kinds ...,idle      also measure idle CPU for every --flux-modes policy
        --wait-idle SEC       before each figure, wait up to SEC s in all for other processes to leave the CPUs
        --retries N           re-run a figure up to N times while other processes disturbed it (keeps the least
                              disturbed run)
        --peer-jvm-args "A B" extra JVM options for the peer (e.g. a JFR recording)
      """;

  private RingBench() {}

  /** Run options. */
  record Options(long warmupNanos, long measureNanos, long clMillis, List<String> paths, List<String> kinds,
      List<Integer> payloads, List<String> rawModes, List<String> fluxModes, long futexSpinNanos, int queueSize,
      int bufferSize, boolean quick, long waitIdleNanos, int retries, List<String> peerJvmArgs,
      List<String> rpmsgModes, List<String> policies, int policyPayload, long idleNanos, boolean interleave,
      List<String> springModes) {

    static final List<String> PATHS = List.of("raw", "flux", "rpmsg", "spring", "tcp", "agrona", "cl");

    static Options parse(String[] args) {
      Map<String, String> m = new HashMap<>();
      boolean quick = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--quick")) {
          quick = true;
        } else if (a.equals("--interleave")) {
          m.put("interleave", "");
        } else if (a.equals("--help") || a.equals("-h")) {
          m.put("help", "");
        } else if (a.startsWith("--") && i + 1 < args.length) {
          m.put(a.substring(2), args[++i]);
        } else {
          throw new IllegalArgumentException("unknown or incomplete option '" + a + "'\n" + USAGE);
        }
      }
      if (m.containsKey("help")) {
        return null;
      }
      long warmup = Long.parseLong(m.getOrDefault("warmup-ms", quick ? "250" : "1500")) * 1_000_000L;
      long measure = Long.parseLong(m.getOrDefault("measure-ms", quick ? "500" : "3000")) * 1_000_000L;
      long cl = Long.parseLong(m.getOrDefault("cl-ms", quick ? "60" : "500"));
      String only = m.getOrDefault("only", "raw,flux");
      List<String> paths = List.of(only.split(","));
      for (String p : paths) {
        if (!PATHS.contains(p)) {
          throw new IllegalArgumentException("--only takes " + PATHS + ", not '" + p + "'");
        }
      }
      List<String> kinds = List.of(m.getOrDefault("kinds", "oneway,rtt").split(","));
      List<Integer> payloads = new ArrayList<>();
      for (String p : m.getOrDefault("payloads", "64,496").split(",")) {
        payloads.add(Integer.parseInt(p.trim()));
      }
      List<String> rawModes = List.of(m.getOrDefault("raw-modes", "busy,futex").split(","));
      List<String> fluxModes = List.of(m.getOrDefault("flux-modes", "busyPoll,spin50us,parkOnly").split(","));
      long spin = Long.parseLong(m.getOrDefault("futex-spin-us", "0")) * 1000L;
      int queueSize = Integer.parseInt(m.getOrDefault("queue-size", "256"));
      int bufferSize = Integer.parseInt(m.getOrDefault("buffer-size", "512"));
      for (int p : payloads) {
        if (p < Msg.MIN_LENGTH || p > bufferSize) {
          throw new IllegalArgumentException("payload " + p + " must be in [" + Msg.MIN_LENGTH + ", " + bufferSize + "]");
        }
      }
      long waitIdle = Long.parseLong(m.getOrDefault("wait-idle", "0")) * 1_000_000_000L;
      int retries = Integer.parseInt(m.getOrDefault("retries", "0"));
      String pja = m.getOrDefault("peer-jvm-args", "").trim();
      List<String> peerJvmArgs = pja.isEmpty() ? List.of() : List.of(pja.split("\\s+"));
      List<String> rpmsgModes = List.of(m.getOrDefault("rpmsg-modes", "busyPoll").split(","));
      List<String> springModes = List.of(m.getOrDefault("spring-modes", "busyPoll").split(","));
      String pol = m.getOrDefault("policies", "");
      List<String> policies = pol.isEmpty() ? List.of() : List.of(pol.split(","));
      int policyPayload = Integer.parseInt(m.getOrDefault("policy-payload", "64"));
      long idle = Long.parseLong(m.getOrDefault("idle-ms", quick ? "1000" : "4000")) * 1_000_000L;
      return new Options(warmup, measure, cl, paths, kinds, payloads, rawModes, fluxModes, spin, queueSize, bufferSize,
          quick, waitIdle, retries, peerJvmArgs, rpmsgModes, policies, policyPayload, idle,
          m.containsKey("interleave"), springModes);
    }

    List<Figure> figures() {
      List<Figure> out = new ArrayList<>();
      for (String path : paths) {
        List<String> modes = switch (path) {
          case "raw" -> rawModes;
          case "flux" -> fluxModes;
          case "rpmsg" -> rpmsgModes;
          case "spring" -> springModes;
          case "tcp" -> List.of("netty");
          default -> List.of("busy");
        };
        for (int payload : payloads) {
          for (String kind : kinds) {
            if (kind.equals("idle") || (path.equals("cl") && !kind.equals("rtt"))) {
              continue;
            }
            if (!kind.equals("oneway") && !kind.equals("rtt")) {
              throw new IllegalArgumentException("kind must be oneway, rtt or idle, not '" + kind + "'");
            }
            for (String mode : modes) {
              Figure f = new Figure(path, kind, mode, path.equals("cl") ? 8 : payload);
              if (f.polled()) {
                f.idlePolicy(); // validates the name
              } else if (f.raw() && !mode.equals("busy") && !mode.equals("futex")) {
                throw new IllegalArgumentException("raw mode must be busy or futex, not '" + mode + "'");
              }
              if (!out.contains(f)) {
                out.add(f);
              }
            }
          }
        }
      }
      if (interleave) {
        // Figures to be compared run next to each other (the vCPU placement holds for seconds).
        List<Figure> sorted = new ArrayList<>(out);
        sorted.sort(java.util.Comparator.comparingInt((Figure f) -> f.path().equals("cl") ? -1 : f.payload())
            .thenComparing(f -> f.kind().equals("rtt") ? 1 : 0));
        out = sorted;
      }
      // Poller policies: round trip at one payload on the flux, rpmsg and spring paths, and an idle link.
      for (String mode : policies) {
        for (String path : List.of("flux", "rpmsg", "spring")) {
          if (paths.contains(path)) {
            Figure f = new Figure(path, "rtt", mode, policyPayload);
            f.idlePolicy();
            if (!out.contains(f)) {
              out.add(f);
            }
          }
        }
      }
      List<String> idleModes = new ArrayList<>(policies);
      if (kinds.contains("idle")) {
        for (String mode : fluxModes) {
          if (!idleModes.contains(mode)) {
            idleModes.add(mode);
          }
        }
      }
      for (String mode : idleModes) {
        Figure f = new Figure("flux", "idle", mode, policyPayload);
        f.idlePolicy();
        out.add(f);
      }
      return out;
    }
  }

  private static final Set<Path> FILES = ConcurrentHashMap.newKeySet();
  private static final AtomicLong COUNTER = new AtomicLong();

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("--peer")) {
      Peer.main();
      return;
    }
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.print(USAGE);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(RingBench::deleteFiles, "ringbench-cleanup"));
    int exit = 0;
    PeerJvm peer = null;
    PrintStream log = System.err;
    try {
      List<Figure> figures = o.figures();
      long t = System.nanoTime();
      log.printf(Locale.ROOT, "ring bench: %d figures, warm-up %d ms + measure %d ms each, cache-line probe %d ms%n",
          figures.size(), o.warmupNanos / 1_000_000, o.measureNanos / 1_000_000, o.clMillis);
      peer = PeerJvm.start(o.peerJvmArgs);
      List<Result> results = new ArrayList<>();
      long waitIdleBudget = o.waitIdleNanos;
      int i = 0;
      for (Figure f : figures) {
        i++;
        log.printf(Locale.ROOT, "[%2d/%d] %-28s ", i, figures.size(), f);
        Result r = null;
        for (int attempt = 0; attempt <= o.retries; attempt++) {
          if (attempt > 0) {
            log.printf(Locale.ROOT, "(disturbed: %.0f%% other CPU, again) ", r.otherCpu);
          }
          waitIdleBudget = waitForIdle(peer, waitIdleBudget);
          Result run = runFigure(f, o, peer);
          if (r == null || !(run.otherCpu >= r.otherCpu)) {
            r = run;
          }
          if (!(r.otherCpu > Table.DISTURBED_PERCENT)) {
            break;
          }
        }
        results.add(r);
        log.println("ok (" + r.placement() + ")");
      }
      int code = peer.quit();
      if (code != 0) {
        throw new BenchFailure("the peer exited with code " + code);
      }
      log.printf(Locale.ROOT, "ring bench: done in %.1f s%n", (System.nanoTime() - t) / 1e9);
      Table.print(System.out, o, results);
    } catch (BenchFailure | IllegalArgumentException e) {
      log.println();
      log.println("RING BENCH FAILED: " + e.getMessage());
      e.printStackTrace(log);
      exit = 1;
    } catch (Throwable e) {
      log.println();
      log.println("RING BENCH FAILED: " + e);
      e.printStackTrace(log);
      exit = 1;
    } finally {
      if (peer != null) {
        peer.close();
      }
      deleteFiles();
    }
    System.out.flush();
    System.exit(exit);
  }

  /**
   * Waits (1 s steps, within the remaining budget) until other processes used less than the
   * table's threshold of CPU over a 200 ms sample; returns the budget left.
   */
  private static long waitForIdle(PeerJvm peer, long budget) throws InterruptedException {
    long started = System.nanoTime();
    boolean waited = false;
    while (budget > 0) {
      CpuLoad.Snapshot a = CpuLoad.snapshot(peer.handle());
      Thread.sleep(200);
      CpuLoad.Snapshot b = CpuLoad.snapshot(peer.handle());
      budget -= b.wall() - a.wall();
      double other = CpuLoad.otherPercent(a, b);
      if (!(other > Table.DISTURBED_PERCENT)) {
        break;
      }
      if (!waited) {
        System.err.printf(Locale.ROOT, "(other processes use %.0f%% CPU: waiting", other);
        waited = true;
      }
      long t = System.nanoTime();
      Thread.sleep(1000);
      budget -= System.nanoTime() - t;
    }
    if (waited) {
      System.err.printf(Locale.ROOT, " %.0f s) ", (System.nanoTime() - started) / 1e9);
    }
    return Math.max(0, budget);
  }

  /** One figure, bracketed by cache-line probes and CPU-load snapshots. */
  private static Result runFigure(Figure f, Options o, PeerJvm peer) {
    double clBefore = CacheLine.measure(o.clMillis);
    Path file = newFile();
    Result r;
    CpuLoad.Snapshot c0 = CpuLoad.snapshot(peer.handle());
    try {
      Cpu.reset();
      r = switch (f.path()) {
        case "raw" -> runRaw(f, o, peer, file);
        case "flux" -> f.idle() ? FluxPath.driverIdle(f, o, peer, file) : runFlux(f, o, peer, file);
        // spring: the peer serves the channel with an @RpmsgEndpoint method; this side is the same.
        case "rpmsg", "spring" -> RpmsgPath.driver(f, o, peer, file, o.warmupNanos, o.measureNanos);
        case "tcp" -> {
          Result t = TcpPath.driver(f, file.toString(), o.warmupNanos, o.measureNanos, peer);
          applyPeerReport(t, peer.expect("DONE", PeerJvm.START_TIMEOUT_NANOS));
          yield t;
        }
        case "agrona" -> {
          Result t = AgronaPath.driver(f, file, o.warmupNanos, o.measureNanos, peer);
          applyPeerReport(t, peer.expect("DONE", PeerJvm.START_TIMEOUT_NANOS));
          yield t;
        }
        case "cl" -> {
          Result t = CacheLine2.driver(f, file, o.warmupNanos, o.measureNanos, peer);
          applyPeerReport(t, peer.expect("DONE", PeerJvm.START_TIMEOUT_NANOS));
          yield t;
        }
        default -> throw new IllegalArgumentException("unknown path " + f.path());
      };
      if (!f.idle()) {
        r.driverCpu = Cpu.elapsed();
      }
    } finally {
      deleteFile(file);
    }
    CpuLoad.Snapshot c1 = CpuLoad.snapshot(peer.handle());
    r.otherCpu = CpuLoad.otherPercent(c0, c1);
    r.steal = CpuLoad.stealPercent(c0, c1);
    r.clBefore = clBefore;
    r.clAfter = CacheLine.measure(o.clMillis);
    return r;
  }

  private static Result runRaw(Figure f, Options o, PeerJvm peer, Path file) {
    try (RawRing.Driver d = new RawRing.Driver(file, o.queueSize, o.bufferSize)) {
      peer.send(f.command(file.toString(), o.queueSize, o.bufferSize, o.futexSpinNanos));
      peer.expect("READY", PeerJvm.START_TIMEOUT_NANOS);
      Result r = f.rtt()
          ? d.roundTrip(f, o.warmupNanos, o.measureNanos, o.futexSpinNanos, peer)
          : d.oneWay(f, o.warmupNanos, o.measureNanos, o.futexSpinNanos, peer);
      applyPeerReport(r, peer.expect("DONE", PeerJvm.START_TIMEOUT_NANOS));
      return r;
    }
  }

  private static Result runFlux(Figure f, Options o, PeerJvm peer, Path file) {
    try (VirtioShmLink link = VirtioShmLink.create(file, FluxPath.options(f.idlePolicy(), o.queueSize, o.bufferSize))) {
      peer.send(f.command(file.toString(), o.queueSize, o.bufferSize, o.futexSpinNanos));
      peer.expect("READY", PeerJvm.START_TIMEOUT_NANOS);
      Result r = f.rtt()
          ? FluxPath.driverRoundTrip(link, f, o.warmupNanos, o.measureNanos, peer)
          : FluxPath.driverOneWay(link, f, o.warmupNanos, o.measureNanos, peer);
      applyPeerReport(r, peer.expect("DONE", PeerJvm.START_TIMEOUT_NANOS));
      if (link.queue(0).outstandingLeases() != 0) {
        throw new BenchFailure(f + ": " + link.queue(0).outstandingLeases() + " receive leases not released");
      }
      return r;
    }
  }

  /** Parses {@code DONE count=.. measured=.. alloc=.. parks=..} and checks the peer saw every message. */
  static void applyPeerReport(Result r, String line) {
    Map<String, Long> kv = new HashMap<>();
    for (String part : line.substring("DONE".length()).trim().split(" ")) {
      int eq = part.indexOf('=');
      kv.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
    }
    long count = kv.get("count");
    if (count != r.sent) {
      throw new BenchFailure(r.figure + ": the driver sent " + r.sent + " messages, the device received " + count);
    }
    long measured = kv.get("measured");
    r.deviceAllocPerMsg = measured > 0 ? (double) kv.get("alloc") / measured : Double.NaN;
    r.deviceParks = kv.get("parks");
    r.deviceCpu = kv.getOrDefault("cpu", -1L);
    Long nanos = kv.get("nanos");
    if (nanos != null && !r.figure.rtt() && !r.figure.idle()) {
      // Measured where the messages arrive (TCP: the client's socket buffers would flatter the sender).
      r.interval(measured, nanos);
    }
    if (r.figure.idle()) {
      r.deviceIdleCpuPercent = nanos == null || nanos <= 0 ? Double.NaN : 100.0 * r.deviceCpu / nanos;
    }
  }

  private static Path newFile() {
    Path p = Path.of("/dev/shm", "rvbench-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    FILES.add(p);
    return p;
  }

  private static void deleteFile(Path p) {
    try {
      Files.deleteIfExists(p);
      FILES.remove(p);
    } catch (IOException e) {
      System.err.println("cannot delete " + p + ": " + e);
    }
  }

  private static void deleteFiles() {
    for (Path p : List.copyOf(FILES)) {
      deleteFile(p);
    }
  }
}
