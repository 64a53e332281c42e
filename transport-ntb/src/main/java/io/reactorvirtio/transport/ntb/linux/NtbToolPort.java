package io.reactorvirtio.transport.ntb.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * One NTB device as {@code ntb_tool} exposes it in debugfs, {@code <debugfs>/ntb_tool/<dev>/}:
 *
 * <pre>
 *  link                 write Y/N: ntb_link_enable / ntb_link_disable (write-only)
 *  port                 our port number ("%d\n")
 *  db, db_mask          read "%#llx\n"; write "s &lt;bits&gt;" / "c &lt;bits&gt;" (set / clear)
 *  peer_db, peer_db_mask  the same for the peer (writing "s" to peer_db rings the peer)
 *  db_valid_mask        read-only
 *  db_event             write a value: blocks until db equals it (not used here)
 *  spadN                local scratchpads, "%#x\n"; write a number (base 0)
 *  peerK/port, link     the peer's port; "Y\n"/"N\n"
 *  peerK/link_event     write Y/N: blocks until the peer link is in that state
 *  peerK/spadN          the peer's scratchpads
 *  peerK/mw_transN      write a size: allocates inbound MW N (DMA buffer); read: description
 *  peerK/mwN            inbound MW N's bytes (read/write at offsets; exists once allocated)
 *  peerK/peer_mw_transN write "addr:size": outbound translation of MW N to the peer's address
 *  peerK/peer_mwN       outbound MW N's bytes (read/write at offsets; exists once set up)
 * </pre>
 *
 * <p>Data moves only by {@code read}/{@code write} copies: ntb_tool offers no {@code mmap}. All
 * files are root-only (0600). Not tried on real hardware here (only on fake trees).
 *
 * <pre>{@code
 * NtbToolPort ntb = NtbToolPort.open(Path.of("/sys/kernel/debug"), "0000:01:00.0");
 * ntb.setLinkEnabled(true);
 * ntb.awaitPeerLink(0, true, Duration.ofSeconds(10), Duration.ofMillis(10));
 * Doorbell kick = ntb.doorbell(2);                       // rings peer doorbell bit 2
 * InterruptSource irq = ntb.interruptSource(NtbDoorbellInterruptSource.DEFAULT_POLL_INTERVAL);
 * }</pre>
 */
public final class NtbToolPort {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:+-]+");

  private final String device;
  private final Path dir;

  private NtbToolPort(String device, Path dir) {
    this.device = device;
    this.dir = dir;
  }

  /**
   * Opens {@code <debugfsRoot>/ntb_tool/<device>}.
   *
   * @param debugfsRoot normally {@code /sys/kernel/debug}
   * @param device the NTB device name (its PCI address for hardware NTBs)
   * @throws NtbToolException if debugfs or ntb_tool is missing, or there is no such device
   */
  public static NtbToolPort open(Path debugfsRoot, String device) {
    if (!NAME.matcher(device).matches() || device.equals("..") || device.equals(".")) {
      throw new IllegalArgumentException("NTB device must be a plain file name: '" + device + "'");
    }
    Path tool = debugfsRoot.resolve("ntb_tool");
    if (!Files.isDirectory(tool)) {
      throw new NtbToolException(tool, tool + " does not exist: mount debugfs (mount -t debugfs"
          + " none " + debugfsRoot + ") and load ntb_tool (modprobe ntb_tool)", null);
    }
    Path dir = tool.resolve(device);
    if (!Files.isDirectory(dir)) {
      throw new NtbToolException(dir, "no NTB device '" + device + "' under " + tool
          + " (devices: " + list(tool) + ")", null);
    }
    return new NtbToolPort(device, dir);
  }

  /** The device name. */
  public String device() {
    return device;
  }

  /** The device's ntb_tool directory. */
  public Path directory() {
    return dir;
  }

  // ---- link and ports ----

  /** Our port number. */
  public int port() {
    return parseDecimal(dir.resolve("port"), "NTB port");
  }

  /** {@code echo Y > link} (enable) or {@code echo N > link}. */
  public void setLinkEnabled(boolean enabled) {
    DebugfsFiles.write(dir.resolve("link"), enabled ? "Y\n" : "N\n", "NTB link enable");
  }

  /** Number of peers ({@code peerK} directories). */
  public int peerCount() {
    int n = 0;
    while (Files.isDirectory(dir.resolve("peer" + n))) {
      n++;
    }
    return n;
  }

  /** The peer's port number ({@code peerK/port}). */
  public int peerPort(int peer) {
    return parseDecimal(peerDir(peer).resolve("port"), "NTB peer " + peer + " port");
  }

  /** Whether the link to peer K is up ({@code peerK/link} reads "Y"). */
  public boolean peerLinkUp(int peer) {
    return DebugfsFiles.readYesNo(peerDir(peer).resolve("link"), "NTB peer " + peer + " link");
  }

  /**
   * Writes Y or N to {@code peerK/link_event}: the kernel blocks the write until the peer link is
   * in that state. Blocks the calling thread without a bound (interrupting it closes the file and
   * ends the wait with an exception); use {@link #awaitPeerLink} for a bounded wait.
   */
  public void waitPeerLinkEvent(int peer, boolean up) {
    DebugfsFiles.write(peerDir(peer).resolve("link_event"), up ? "Y\n" : "N\n",
        "waiting for NTB peer " + peer + " link " + (up ? "up" : "down"));
  }

  /**
   * Polls {@code peerK/link} every {@code interval} until it reads {@code up}, for at most {@code
   * timeout}.
   *
   * @return true if the state was reached, false on timeout
   */
  public boolean awaitPeerLink(int peer, boolean up, Duration timeout, Duration interval) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long step = Math.max(1, interval.toNanos());
    while (true) {
      if (peerLinkUp(peer) == up) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      LockSupport.parkNanos(Math.min(step, left));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return peerLinkUp(peer) == up;
      }
    }
  }

  // ---- doorbells ----

  /** Local doorbell bits ({@code db}). */
  public long db() {
    return DebugfsFiles.readHex(dir.resolve("db"), "NTB doorbell");
  }

  /** {@code echo "c <bits>" > db}: clears handled local doorbell bits. */
  public void clearDb(long bits) {
    writeBits("db", 'c', bits);
  }

  /** {@code echo "s <bits>" > db}: sets local doorbell bits (a self-test; hardware may refuse). */
  public void setDb(long bits) {
    writeBits("db", 's', bits);
  }

  /** Local doorbell mask ({@code db_mask}): set bits suppress interrupts. */
  public long dbMask() {
    return DebugfsFiles.readHex(dir.resolve("db_mask"), "NTB doorbell mask");
  }

  public void setDbMask(long bits) {
    writeBits("db_mask", 's', bits);
  }

  public void clearDbMask(long bits) {
    writeBits("db_mask", 'c', bits);
  }

  /** Which doorbell bits exist ({@code db_valid_mask}). */
  public long dbValidMask() {
    return DebugfsFiles.readHex(dir.resolve("db_valid_mask"), "NTB valid doorbell mask");
  }

  /** The peer's doorbell bits as this side sees them ({@code peer_db}). */
  public long peerDb() {
    return DebugfsFiles.readHex(dir.resolve("peer_db"), "NTB peer doorbell");
  }

  /** {@code echo "s <bits>" > peer_db}: rings the peer. */
  public void ringPeer(long bits) {
    writeBits("peer_db", 's', bits);
  }

  /** {@code echo "c <bits>" > peer_db}. */
  public void clearPeerDb(long bits) {
    writeBits("peer_db", 'c', bits);
  }

  public long peerDbMask() {
    return DebugfsFiles.readHex(dir.resolve("peer_db_mask"), "NTB peer doorbell mask");
  }

  public void setPeerDbMask(long bits) {
    writeBits("peer_db_mask", 's', bits);
  }

  public void clearPeerDbMask(long bits) {
    writeBits("peer_db_mask", 'c', bits);
  }

  /**
   * A doorbell that rings peer doorbell bit {@code queueIndex} ({@code 1L << queueIndex}; the RFC
   * passed the index itself as the mask, so queue 0 rang nothing).
   */
  public NtbDoorbell doorbell(int queueIndex) {
    return new NtbDoorbell(dir.resolve("peer_db"), queueIndex);
  }

  /**
   * An interrupt source that polls {@code db} for every valid bit ({@code db_valid_mask}).
   *
   * @param pollInterval the polling period (debugfs has no blocking read)
   */
  public NtbDoorbellInterruptSource interruptSource(Duration pollInterval) {
    return new NtbDoorbellInterruptSource(this, dbValidMask(), pollInterval);
  }

  /** An interrupt source that polls {@code db} for {@code bits} only. */
  public NtbDoorbellInterruptSource interruptSource(long bits, Duration pollInterval) {
    return new NtbDoorbellInterruptSource(this, bits, pollInterval);
  }

  // ---- scratchpads ----

  /** Number of local scratchpads ({@code spadN} files). */
  public int scratchpadCount() {
    return countFiles(dir, "spad");
  }

  /** The local scratchpads ({@code spadN}). */
  public ScratchpadAccess localScratchpads() {
    return new FileScratchpads(dir, scratchpadCount(), "local");
  }

  /** Peer K's scratchpads ({@code peerK/spadN}). */
  public ScratchpadAccess peerScratchpads(int peer) {
    Path p = peerDir(peer);
    return new FileScratchpads(p, countFiles(p, "spad"), "peer " + peer);
  }

  // ---- memory windows ----

  /**
   * {@code echo <size> > peerK/mw_transN}: allocates a DMA buffer as inbound window N for peer K
   * (the kernel rounds to the window's alignment); 0 frees it.
   */
  public void setInboundWindowSize(int peer, int window, long size) {
    if (size < 0 || size > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("ntb_tool takes an unsigned 32-bit window size: " + size);
    }
    DebugfsFiles.write(peerDir(peer).resolve("mw_trans" + window), "0x" + Long.toHexString(size) + "\n",
        "NTB inbound window " + window + " of peer " + peer);
  }

  /**
   * {@code peerK/mw_transN} (or {@code peer_mw_transN}) parsed into its "Name \t value" lines,
   * e.g. {@code "DMA Address" -> "0x00000000fee00000"}, {@code "Window Size" -> "0x..."}.
   */
  public Map<String, String> windowInfo(int peer, int window, boolean outbound) {
    Path file = peerDir(peer).resolve((outbound ? "peer_mw_trans" : "mw_trans") + window);
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : DebugfsFiles.read(file, "NTB window info").split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        String key = line.substring(0, tab).trim();
        if (key.endsWith(":")) {
          key = key.substring(0, key.length() - 1);
        }
        out.put(key, line.substring(tab + 1).trim());
      }
    }
    return out;
  }

  /** The "DMA Address" of inbound window N: what the peer must translate its outbound window to. */
  public long inboundWindowDmaAddress(int peer, int window) {
    Path file = peerDir(peer).resolve("mw_trans" + window);
    String v = windowInfo(peer, window, false).get("DMA Address");
    if (v == null) {
      throw new NtbToolException(file, "no 'DMA Address' line in " + file, null);
    }
    return DebugfsFiles.parseHex(v, file, "NTB inbound window DMA address");
  }

  /**
   * {@code echo "<addr>:<size>" > peerK/peer_mw_transN}: points outbound window N at the peer's
   * address {@code address} for {@code size} bytes (0 tears it down). The size is written in
   * decimal or hex, whichever is shorter: ntb_tool reads at most 31 bytes.
   *
   * @throws IllegalArgumentException if the command would not fit in 31 bytes
   */
  public void setOutboundWindow(int peer, int window, long address, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("window size must be non-negative: " + size);
    }
    String dec = "0x" + Long.toHexString(address) + ":" + size + "\n";
    String hex = "0x" + Long.toHexString(address) + ":0x" + Long.toHexString(size) + "\n";
    String text = dec.length() <= hex.length() ? dec : hex;
    if (text.length() > 31) { // ntb_tool copies at most 31 bytes and would parse a truncated size
      throw new IllegalArgumentException("ntb_tool accepts at most 31 bytes in peer_mw_trans;"
          + " '" + text.strip() + "' is " + text.length());
    }
    DebugfsFiles.write(peerDir(peer).resolve("peer_mw_trans" + window), text,
        "NTB outbound window " + window + " to peer " + peer);
  }

  /** Copies from inbound window N ({@code peerK/mwN}) at {@code offset} into {@code dst}. */
  public int readInboundWindow(int peer, int window, long offset, ByteBuffer dst) {
    return copy(peerDir(peer).resolve("mw" + window), offset, dst, false);
  }

  /** Copies {@code src} into inbound window N at {@code offset}. */
  public int writeInboundWindow(int peer, int window, long offset, ByteBuffer src) {
    return copy(peerDir(peer).resolve("mw" + window), offset, src, true);
  }

  /** Copies from outbound window N ({@code peerK/peer_mwN}, i.e. the peer's memory). */
  public int readOutboundWindow(int peer, int window, long offset, ByteBuffer dst) {
    return copy(peerDir(peer).resolve("peer_mw" + window), offset, dst, false);
  }

  /** Copies {@code src} into outbound window N (the peer's memory) at {@code offset}. */
  public int writeOutboundWindow(int peer, int window, long offset, ByteBuffer src) {
    return copy(peerDir(peer).resolve("peer_mw" + window), offset, src, true);
  }

  // ---- helpers ----

  Path peerDir(int peer) {
    Path p = dir.resolve("peer" + peer);
    if (peer < 0 || !Files.isDirectory(p)) {
      throw new NtbToolException(p, "NTB device " + device + " has no peer " + peer + " (" + p
          + " does not exist; peers: " + peerCount() + ")", null);
    }
    return p;
  }

  private void writeBits(String file, char cmd, long bits) {
    DebugfsFiles.write(dir.resolve(file), cmd + " 0x" + Long.toHexString(bits) + "\n",
        "NTB " + file + " " + (cmd == 's' ? "set" : "clear"));
  }

  private static int copy(Path file, long offset, ByteBuffer buf, boolean write) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be non-negative: " + offset);
    }
    try (FileChannel ch = FileChannel.open(file,
        write ? StandardOpenOption.WRITE : StandardOpenOption.READ)) {
      int total = 0;
      while (buf.hasRemaining()) {
        int n = write ? ch.write(buf, offset + total) : ch.read(buf, offset + total);
        if (n <= 0) {
          break; // end of window: ntb_tool returns 0 at or past the window size
        }
        total += n;
      }
      return total;
    } catch (NoSuchFileException e) {
      throw new NtbToolException(file, file + " does not exist: set the window up first"
          + " (mw_transN for inbound, peer_mw_transN for outbound)", e);
    } catch (IOException e) {
      throw new NtbToolException(file, (write ? "writing " : "reading ") + file + " at offset "
          + offset + " failed: " + e, e);
    }
  }

  private static int parseDecimal(Path file, String what) {
    String line = DebugfsFiles.readLine(file, what);
    try {
      return Integer.parseInt(line);
    } catch (NumberFormatException e) {
      throw new NtbToolException(file, what + ": expected a decimal number in " + file
          + ", found '" + line + "'", e);
    }
  }

  private static int countFiles(Path d, String prefix) {
    int n = 0;
    while (Files.exists(d.resolve(prefix + n))) {
      n++;
    }
    return n;
  }

  private static String list(Path d) {
    try (var s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
    } catch (IOException e) {
      return "?";
    }
  }

  /** Scratchpads as {@code spadN} files in one directory. */
  private static final class FileScratchpads implements ScratchpadAccess {
    private final Path dir;
    private final int count;
    private final String what;

    FileScratchpads(Path dir, int count, String what) {
      this.dir = dir;
      this.count = count;
      this.what = what;
    }

    @Override
    public int count() {
      return count;
    }

    @Override
    public int read(int index) {
      return (int) DebugfsFiles.readHex(file(index), "NTB " + what + " scratchpad " + index);
    }

    @Override
    public void write(int index, int value) {
      DebugfsFiles.write(file(index), "0x" + Integer.toHexString(value) + "\n",
          "NTB " + what + " scratchpad " + index);
    }

    private Path file(int index) {
      if (index < 0 || index >= count) {
        throw new IndexOutOfBoundsException(
            "NTB " + what + " scratchpad " + index + " out of 0-" + (count - 1));
      }
      return dir.resolve("spad" + index);
    }

    @Override
    public String toString() {
      return "NtbScratchpads[" + what + ", " + count + " in " + dir + "]";
    }
  }

  @Override
  public String toString() {
    return "NtbToolPort[" + dir + "]";
  }
}
