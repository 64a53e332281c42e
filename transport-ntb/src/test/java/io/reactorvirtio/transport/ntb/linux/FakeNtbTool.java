package io.reactorvirtio.transport.ntb.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * A fake {@code <debugfs>/ntb_tool/<dev>/} tree with the files ntb_tool creates, holding what the
 * kernel would print ({@code "%#llx\n"} masks, {@code "%#x\n"} scratchpads — note C prints zero as
 * {@code "0"} — and {@code "Y\n"}/{@code "N\n"}). The "kernel" changes a file with {@link #set},
 * an atomic rename, so a concurrent reader sees the old or the new text, never a torn one.
 */
final class FakeNtbTool {

  static final String DEV = "0000:01:00.0";

  final Path debugfs;
  final Path dir;

  FakeNtbTool(Path root, int spads, int peers) throws IOException {
    debugfs = root;
    dir = Files.createDirectories(root.resolve("ntb_tool").resolve(DEV));
    Files.writeString(dir.resolve("port"), "0\n");
    Files.writeString(dir.resolve("link"), "");
    Files.writeString(dir.resolve("db"), "0\n");
    Files.writeString(dir.resolve("db_mask"), "0\n");
    Files.writeString(dir.resolve("db_valid_mask"), "0xffff\n");
    Files.writeString(dir.resolve("db_event"), "");
    Files.writeString(dir.resolve("peer_db"), "0\n");
    Files.writeString(dir.resolve("peer_db_mask"), "0\n");
    for (int i = 0; i < spads; i++) {
      Files.writeString(dir.resolve("spad" + i), "0\n");
    }
    for (int k = 0; k < peers; k++) {
      Path p = Files.createDirectories(dir.resolve("peer" + k));
      Files.writeString(p.resolve("port"), (k + 1) + "\n");
      Files.writeString(p.resolve("link"), "N\n");
      Files.writeString(p.resolve("link_event"), "");
      Files.writeString(p.resolve("mw_trans0"), "");
      Files.writeString(p.resolve("peer_mw_trans0"), "");
      for (int i = 0; i < spads; i++) {
        Files.writeString(p.resolve("spad" + i), "0\n");
      }
    }
  }

  /** The kernel changes a file's content atomically. */
  void set(String relative, String content) {
    Path target = dir.resolve(relative);
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, content);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String get(String relative) throws IOException {
    return Files.readString(dir.resolve(relative));
  }

  /** Replaces a file with a FIFO (for the files whose writes block in the kernel). */
  void makeFifo(String relative) throws IOException, InterruptedException {
    Path p = dir.resolve(relative);
    Files.deleteIfExists(p);
    Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    if (!mk.waitFor(10, TimeUnit.SECONDS) || mk.exitValue() != 0) {
      throw new IOException("mkfifo " + p + " failed");
    }
  }

  NtbToolPort port() {
    return NtbToolPort.open(debugfs, DEV);
  }
}
