package io.reactorvirtio.transport.openamp.internal;

import io.reactorvirtio.virtio.notify.FutexInterruptSource;
import io.reactorvirtio.virtio.spi.Doorbell;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * OpenAMP's kick channel (FACTS §9.4): one {@code AF_UNIX SOCK_STREAM} connection; a kick is the
 * byte {@code 0x01}, either direction, no queue id; the receiver drains and scans every ring.
 *
 * <p>Two small threads bridge it to the poller, which parks on a futex word in private memory
 * ({@link #interrupts()}): the <em>reader</em> blocks in {@code read}, and turns whatever it reads
 * (kicks coalesce) into one {@link FutexInterruptSource#wakeLocal()}; the <em>writer</em> is
 * unparked by {@link #doorbell()} and writes one byte per batch of rings. So {@link Doorbell#ring()}
 * never blocks its caller (the poller or a subscriber's thread) even if the peer stops reading.
 * Each kick costs a thread hop on both ends: the OpenAMP link is for compatibility, not speed.
 *
 * <p>When the peer closes the connection (or it fails) the reader reports it once to the
 * {@code onPeerLost} callback given at {@link #start}.
 */
public final class KickSocket implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KickSocket.class);

  /** The kick byte. */
  public static final byte KICK = 0x01;

  private final SocketChannel channel;
  private final String name;
  private final Arena arena = Arena.ofShared();
  private final FutexInterruptSource interrupts;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean lost = new AtomicBoolean();
  private volatile boolean closed;
  private volatile @org.jspecify.annotations.Nullable Thread writer;
  private volatile @org.jspecify.annotations.Nullable Thread reader;
  private final Doorbell doorbell = this::kick;

  private KickSocket(SocketChannel channel, String name) {
    this.channel = channel;
    this.name = name;
    MemorySegment word = arena.allocate(8, 8);
    this.interrupts = new FutexInterruptSource(word, 0);
  }

  /**
   * Server role: unlinks {@code path}, binds, listens, accepts one peer (waiting at most {@code
   * timeout}), then closes the listening socket and removes its path.
   *
   * @throws KickSocketException if no peer connects in time or the socket cannot be bound
   */
  public static KickSocket accept(Path path, Duration timeout) {
    try {
      Files.deleteIfExists(path);
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
          Selector selector = Selector.open()) {
        server.bind(UnixDomainSocketAddress.of(path), 1);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
          while (true) {
            SocketChannel ch = server.accept();
            if (ch != null) {
              ch.configureBlocking(true);
              return new KickSocket(ch, path.toString());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              throw new KickSocketException(path + ": no peer connected to the kick socket within " + timeout);
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
          }
        } finally {
          Files.deleteIfExists(path);
        }
      }
    } catch (IOException e) {
      throw new KickSocketException(path + ": cannot listen on the kick socket: " + e, e);
    }
  }

  /**
   * Client role: connects to {@code path}, retrying every 10 ms while it is missing or refuses,
   * for at most {@code timeout} (OpenAMP retries for about 50 s).
   *
   * @throws KickSocketException if no server accepts in time
   */
  public static KickSocket connect(Path path, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (true) {
      SocketChannel ch = null;
      try {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(path));
        return new KickSocket(ch, path.toString());
      } catch (IOException e) {
        last = e;
        if (ch != null) {
          try {
            ch.close();
          } catch (IOException ignored) {
            // nothing to do
          }
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new KickSocketException(path + ": could not connect to the kick socket within " + timeout + ": " + last,
            last);
      }
      LockSupport.parkNanos(10_000_000);
    }
  }

  /** Starts the reader and writer threads; {@code onPeerLost} runs once, on the reader thread. */
  public KickSocket start(Consumer<String> onPeerLost) {
    Thread w = Thread.ofPlatform().daemon().name("openamp-kick-writer " + name).unstarted(this::writeLoop);
    Thread r = Thread.ofPlatform().daemon().name("openamp-kick-reader " + name).unstarted(() -> readLoop(onPeerLost));
    writer = w;
    reader = r;
    w.start();
    r.start();
    return this;
  }

  /** What the link's poller parks on; woken for every batch of kicks received. */
  public FutexInterruptSource interrupts() {
    return interrupts;
  }

  /** Rings the peer: never blocks (the writer thread sends the byte; kicks coalesce). */
  public Doorbell doorbell() {
    return doorbell;
  }

  /** Whether the peer closed the connection or it failed. */
  public boolean peerLost() {
    return lost.get();
  }

  private void kick() {
    if (!pending.getAndSet(true)) {
      Thread w = writer;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  private void writeLoop() {
    ByteBuffer one = ByteBuffer.allocateDirect(1);
    while (!closed) {
      if (!pending.getAndSet(false)) {
        LockSupport.park(this);
        continue;
      }
      one.clear();
      one.put(0, KICK);
      try {
        while (one.hasRemaining()) {
          channel.write(one);
        }
      } catch (IOException e) {
        if (!closed) {
          log.debug("{}: kick not sent: {}", name, e.toString());
        }
        return; // the reader reports the lost peer
      }
    }
  }

  private void readLoop(Consumer<String> onPeerLost) {
    ByteBuffer buf = ByteBuffer.allocateDirect(256);
    String why;
    try {
      while (true) {
        buf.clear();
        int n = channel.read(buf);
        if (n < 0) {
          why = "peer closed the kick socket " + name;
          break;
        }
        // Any bytes: kicks coalesce, the poller scans every ring.
        interrupts.wakeLocal();
      }
    } catch (ClosedChannelException e) {
      return; // our own close
    } catch (IOException e) {
      why = "kick socket " + name + " failed: " + e;
    }
    if (!closed && lost.compareAndSet(false, true)) {
      interrupts.wakeLocal();
      onPeerLost.accept(why);
    }
  }

  /** Stops both threads, closes the connection and frees the private futex word. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("{}: close: {}", name, e.toString());
    }
    Thread w = writer;
    Thread r = reader;
    if (w != null) {
      LockSupport.unpark(w);
      join(w);
    }
    if (r != null) {
      join(r);
    }
  }

  /** Frees the futex word; call after the poller that parks on it has stopped. */
  public void release() {
    interrupts.close();
    arena.close();
  }

  private static void join(Thread t) {
    if (t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "KickSocket[" + name + (lost.get() ? ", peer lost]" : "]");
  }
}
