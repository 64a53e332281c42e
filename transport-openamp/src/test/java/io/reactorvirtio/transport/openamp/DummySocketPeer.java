package io.reactorvirtio.transport.openamp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The other end of the kick socket, driven by hand: no rings behind it. */
final class DummySocketPeer implements AutoCloseable {

  private final CompletableFuture<SocketChannel> channel = new CompletableFuture<>();
  private final @org.jspecify.annotations.Nullable ServerSocketChannel server;

  private DummySocketPeer(@org.jspecify.annotations.Nullable ServerSocketChannel server) {
    this.server = server;
  }

  /** Listens at {@code path} and accepts one connection in the background. */
  static DummySocketPeer serve(Path path) {
    try {
      Files.deleteIfExists(path);
      ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      s.bind(UnixDomainSocketAddress.of(path));
      DummySocketPeer p = new DummySocketPeer(s);
      Thread.ofPlatform().daemon().start(() -> {
        try {
          p.channel.complete(s.accept());
        } catch (IOException e) {
          p.channel.completeExceptionally(e);
        }
      });
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Connects to a server at {@code path}, retrying while it is not there yet, in the background. */
  static DummySocketPeer connect(Path path) {
    DummySocketPeer p = new DummySocketPeer(null);
    Thread.ofPlatform().daemon().start(() -> {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        try {
          SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
          try {
            ch.connect(UnixDomainSocketAddress.of(path));
            p.channel.complete(ch);
            return;
          } catch (IOException e) {
            ch.close();
          }
          Thread.sleep(10);
        } catch (IOException | InterruptedException e) {
          p.channel.completeExceptionally(e);
          return;
        }
      }
      p.channel.completeExceptionally(new IOException("no server at " + path));
    });
    return p;
  }

  SocketChannel channel() {
    try {
      return channel.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void kick() throws IOException {
    channel().write(ByteBuffer.wrap(new byte[] {1}));
  }

  /** Reads one byte (bounded by 30 s): -1 at end of stream. */
  int readByte() throws Exception {
    SocketChannel ch = channel();
    return CompletableFuture.supplyAsync(() -> {
      ByteBuffer b = ByteBuffer.allocate(1);
      try {
        int n = ch.read(b);
        return n < 0 ? -1 : b.get(0) & 0xFF;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, r -> Thread.ofPlatform().daemon().start(r)).get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws IOException {
    channel.thenAccept(ch -> {
      try {
        ch.close();
      } catch (IOException ignored) {
        // test helper
      }
    });
    if (server != null) {
      server.close();
    }
  }
}
