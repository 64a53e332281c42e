package io.reactorvirtio.virtio.internal.poll;

import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.internal.queue.PollerContext;
import io.reactorvirtio.virtio.spi.InterruptSource;
import io.reactorvirtio.virtio.internal.nativeio.Futex;
import io.reactorvirtio.virtio.notify.FutexInterruptSource;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread per link that runs the queues' drain loops: it polls its tasks, spins for a
 * while when idle ({@link IdlePolicy}), then re-enables the peer's notifications, re-checks, and
 * parks in the kernel on the link's {@link InterruptSource}. No thread hop on the hot path: the
 * queues' subscribers are called on this thread, and must {@code publishOn} to block.
 *
 * <p>Lost-wake-up freedom comes from the event-count protocol of {@link InterruptSource}: the
 * token is taken before the tasks re-check their rings, so a notification after the re-check makes
 * the park return at once.
 */
public final class LinkPoller implements PollerContext, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LinkPoller.class);

  private final String name;
  private final InterruptSource source;
  private final IdlePolicy policy;
  private static final PollerTask[] NO_TASKS = new PollerTask[0];

  /**
   * Copy-on-write array of tasks: iterated by index on the poller thread, so that a duty cycle or
   * a park allocates nothing (a CopyOnWriteArrayList iterator would, every time).
   */
  private final java.util.concurrent.atomic.AtomicReference<PollerTask[]> tasks =
      new java.util.concurrent.atomic.AtomicReference<>(NO_TASKS);
  private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private final AtomicLong parks = new AtomicLong();
  private final AtomicLong wakeups = new AtomicLong();
  /** Further interrupt sources when links share this poller (poller thread reads, any thread adds). */
  private final CopyOnWriteArrayList<InterruptSource> extraSources = new CopyOnWriteArrayList<>();
  private int[] tokens = new int[0];
  private Futex.@Nullable MultiWaiter multiWaiter;

  public LinkPoller(String name, InterruptSource source, IdlePolicy policy) {
    this.name = name;
    this.source = source;
    this.policy = policy;
    this.thread = new PollerThread(this::run, "virtio-poller-" + name);
  }

  /** Starts the thread. */
  public LinkPoller start() {
    thread.start();
    return this;
  }

  public void register(PollerTask task) {
    tasks.updateAndGet(old -> {
      PollerTask[] next = java.util.Arrays.copyOf(old, old.length + 1);
      next[old.length] = task;
      return next;
    });
    wake();
  }

  public void unregister(PollerTask task) {
    tasks.updateAndGet(old -> {
      for (int i = 0; i < old.length; i++) {
        if (old[i] == task) {
          PollerTask[] next = new PollerTask[old.length - 1];
          System.arraycopy(old, 0, next, 0, i);
          System.arraycopy(old, i + 1, next, i, old.length - i - 1);
          return next;
        }
      }
      return old;
    });
  }

  /** Adds a link's interrupt source to a shared poller. */
  public void addSource(InterruptSource extra) {
    extraSources.add(extra);
    wake();
  }

  public void removeSource(InterruptSource extra) {
    extraSources.remove(extra);
  }

  /**
   * Runs {@code command} on the poller thread and waits for it (bounded); runs it inline when
   * called on the poller thread or after the poller stopped.
   */
  public void executeAndWait(Runnable command) {
    if (inPollerThread() || !thread.isAlive()) {
      command.run();
      return;
    }
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    execute(() -> {
      try {
        command.run();
      } finally {
        done.countDown();
      }
    });
    try {
      if (!done.await(5, TimeUnit.SECONDS)) {
        log.warn("poller '{}': command did not run within 5 s", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs {@code command} on the poller thread (control plane; allocates). */
  public void execute(Runnable command) {
    commands.add(command);
    wake();
  }

  @Override
  public boolean inPollerThread() {
    return Thread.currentThread() == thread;
  }

  @Override
  public void wake() {
    if (!running || inPollerThread()) {
      return;
    }
    try {
      source.wakeLocal();
    } catch (IllegalStateException closedMeanwhile) {
      // The link closed between the check and the wake: nobody is left to wake.
    }
  }

  public String name() {
    return name;
  }

  public IdlePolicy policy() {
    return policy;
  }

  /** Times the poller parked in the kernel. */
  public long parks() {
    return parks.get();
  }

  public Thread thread() {
    return thread;
  }

  private int doWork() {
    int work = 0;
    Runnable c;
    while ((c = commands.poll()) != null) {
      c.run();
      work++;
    }
    for (PollerTask t : tasks.get()) {
      work += t.doWork();
    }
    return work;
  }

  private void run() {
    long spinNanos = policy.spin().toNanos();
    long parkNanos = policy.parkTimeout().toNanos();
    long idleSince = 0;
    boolean armed = false;
    try {
      while (running) {
        int work;
        try {
          work = doWork();
        } catch (Throwable t) {
          log.error("poller '{}': a task failed; continuing", name, t);
          work = 1;
        }
        if (work > 0) {
          idleSince = 0;
          if (armed) {
            disarmAll();
            armed = false;
          }
          continue;
        }
        if (!policy.park()) {
          Thread.onSpinWait();
          continue;
        }
        long now = System.nanoTime();
        if (idleSince == 0) {
          idleSince = now;
        }
        if (now - idleSince < spinNanos) {
          Thread.onSpinWait();
          continue;
        }
        // Park: token first, then re-enable and re-check, then sleep (InterruptSource protocol).
        if (extraSources.isEmpty()) {
          armed = true;
          if (!parkOnOwnSource(parkNanos)) {
            continue;
          }
        } else {
          armed = true;
          if (!parkOnAll(parkBound(parkNanos))) {
            continue;
          }
        }
        wakeups.incrementAndGet();
        idleSince = 0;
      }
    } finally {
      Futex.MultiWaiter w = multiWaiter;
      if (w != null) {
        w.close();
      }
      for (PollerTask t : tasks.get()) {
        try {
          t.onClose();
        } catch (Throwable e) {
          log.warn("poller '{}': task close failed", name, e);
        }
      }
    }
  }

  /**
   * The dedicated poller's park (its own source only): arm, re-enable and re-check, sleep. Kept
   * small, apart from {@code run}, so that the JIT inlines the futex downcall and removes its
   * per-call allocation. Returns whether it parked.
   */
  private boolean parkOnOwnSource(long parkNanos) {
    int token = source.arm();
    boolean more = !running || !commands.isEmpty(); // conditions re-checked after arm()
    for (PollerTask t : tasks.get()) {
      more |= t.armNotifications();
    }
    if (more) {
      source.disarm();
      return false;
    }
    parks.incrementAndGet();
    source.await(token, parkBound(parkNanos));
    return true;
  }

  /**
   * The shared-poller park: arms every source, re-checks, then waits on all futex words at once
   * with futex_waitv. Sources that are not futex words (eventfd, UIO) cannot join that wait: with
   * any of them the poller waits on its own source in 1 ms slices instead. Returns whether it
   * parked.
   */
  private boolean parkOnAll(long parkNanos) {
    List<InterruptSource> extra = extraSources;
    int n = extra.size() + 1;
    if (tokens.length < n) {
      tokens = new int[n];
    }
    tokens[0] = source.arm();
    for (int i = 1; i < n; i++) {
      tokens[i] = extra.get(i - 1).arm();
    }
    boolean more = !running || !commands.isEmpty(); // conditions re-checked after arm()
    for (PollerTask t : tasks.get()) {
      more |= t.armNotifications();
    }
    if (!more) {
      parks.incrementAndGet();
      if (source instanceof FutexInterruptSource home && allFutex(extra)) {
        Futex.MultiWaiter w = multiWaiter;
        if (w == null) {
          w = multiWaiter = new Futex.MultiWaiter();
        }
        w.clear();
        w.add(home.segment(), home.seqOffset(), tokens[0]);
        for (int i = 1; i < n; i++) {
          FutexInterruptSource f = (FutexInterruptSource) extra.get(i - 1);
          w.add(f.segment(), f.seqOffset(), tokens[i]);
        }
        w.await(parkNanos);
      } else {
        source.await(tokens[0], Math.min(parkNanos, 1_000_000));
      }
    }
    source.disarm();
    for (int i = 1; i < n; i++) {
      extra.get(i - 1).disarm();
    }
    return !more;
  }

  /** The policy's park timeout, shortened for tasks with periodic work (liveness beats). */
  private long parkBound(long parkNanos) {
    long bound = parkNanos;
    for (PollerTask t : tasks.get()) {
      bound = Math.min(bound, t.wakeWithinNanos());
    }
    return bound;
  }

  private static boolean allFutex(List<InterruptSource> sources) {
    for (int i = 0; i < sources.size(); i++) {
      if (!(sources.get(i) instanceof FutexInterruptSource)) {
        return false;
      }
    }
    return true;
  }

  private void disarmAll() {
    for (PollerTask t : tasks.get()) {
      t.disarmNotifications();
    }
  }

  /** Stops the thread and waits for it (bounded). */
  @Override
  public void close() {
    running = false;
    source.wakeLocal();

    if (!inPollerThread()) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("poller '{}' did not stop within 5 s", name);
      }
    }
  }

  /** The poller's thread type, so BlockHound can tell it is non-blocking. */
  public static final class PollerThread extends Thread {
    PollerThread(Runnable r, String name) {
      super(r, name);
      setDaemon(true);
    }
  }
}
