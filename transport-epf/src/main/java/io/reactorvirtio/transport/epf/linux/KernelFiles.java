package io.reactorvirtio.transport.epf.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads and writes kernel attribute files the way {@code cat} and {@code echo >} do: one open, one
 * read or write from offset 0, close. Writes open with {@code O_WRONLY|O_TRUNC} and no {@code
 * O_CREAT}: sysfs, configfs and debugfs ignore the truncation, a fake tree's plain file gets
 * exactly the written bytes, and a missing attribute is an error rather than a new file.
 */
final class KernelFiles {

  private KernelFiles() {}

  /** The file's whole content as text; the failure names the file and what it is. */
  static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new LinuxDeviceException(file, what + ": " + file + " does not exist", e);
    } catch (IOException e) {
      throw new LinuxDeviceException(file, what + ": cannot read " + file + ": " + e, e);
    }
  }

  /** The first line, trimmed. */
  static String readLine(Path file, String what) {
    String s = read(file, what);
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  /** A number written by the kernel as {@code 0x<hex>} (a hex text without prefix is accepted). */
  static long readHex(Path file, String what) {
    return parseHex(readLine(file, what), file, what);
  }

  static long parseHex(String text, Path file, String what) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("0x")) {
      t = t.substring(2);
    }
    if (t.isEmpty() || t.length() > 16) {
      throw new LinuxDeviceException(
          file, what + ": expected a hex number like 0x1af4 in " + file + ", found '" + text + "'");
    }
    try {
      return Long.parseUnsignedLong(t, 16);
    } catch (NumberFormatException e) {
      throw new LinuxDeviceException(
          file, what + ": expected a hex number like 0x1af4 in " + file + ", found '" + text + "'", e);
    }
  }

  /** Writes {@code text} as {@code echo -n text > file} does (no creation). */
  static void write(Path file, String text, String what) {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    } catch (NoSuchFileException e) {
      throw new LinuxDeviceException(file, what + ": " + file + " does not exist", e);
    } catch (IOException e) {
      throw new LinuxDeviceException(
          file, what + ": writing '" + text.strip() + "' to " + file + " failed: " + e, e);
    }
  }

  /** The names in a directory, sorted; empty if it does not exist. */
  static List<String> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<String> names = new ArrayList<>();
      s.forEach(p -> names.add(p.getFileName().toString()));
      names.sort(null);
      return List.copyOf(names);
    } catch (IOException e) {
      throw new LinuxDeviceException(dir, "cannot list " + dir + ": " + e, e);
    }
  }
}
