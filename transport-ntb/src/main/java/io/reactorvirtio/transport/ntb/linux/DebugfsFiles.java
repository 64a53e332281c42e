package io.reactorvirtio.transport.ntb.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * {@code cat} and {@code echo >} on debugfs files: open, one read or write at offset 0 (ntb_tool's
 * write handlers ignore writes at a non-zero offset), close. Writes use {@code O_TRUNC} and never
 * {@code O_CREAT}, so a fake tree's plain file holds exactly the last command written.
 */
final class DebugfsFiles {

  private DebugfsFiles() {}

  static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new NtbToolException(file, what + ": " + file + " does not exist", e);
    } catch (IOException e) {
      throw new NtbToolException(file, what + ": cannot read " + file + ": " + e, e);
    }
  }

  static String readLine(Path file, String what) {
    String s = read(file, what);
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  /** ntb_tool prints bit masks and scratchpads with {@code %#llx} / {@code %#x}: "0x5\n", "0\n". */
  static long readHex(Path file, String what) {
    String line = readLine(file, what);
    return parseHex(line, file, what);
  }

  static long parseHex(String text, Path file, String what) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("0x")) {
      t = t.substring(2);
    }
    try {
      if (t.isEmpty() || t.length() > 16) {
        throw new NumberFormatException(t);
      }
      return Long.parseUnsignedLong(t, 16);
    } catch (NumberFormatException e) {
      throw new NtbToolException(
          file, what + ": expected a hex number like 0x5 in " + file + ", found '" + text + "'", e);
    }
  }

  /** "Y\n" or "N\n". */
  static boolean readYesNo(Path file, String what) {
    String line = readLine(file, what);
    return switch (line) {
      case "Y" -> true;
      case "N" -> false;
      default -> throw new NtbToolException(
          file, what + ": expected Y or N in " + file + ", found '" + line + "'", null);
    };
  }

  static void write(Path file, String text, String what) {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    } catch (NoSuchFileException e) {
      throw new NtbToolException(file, what + ": " + file + " does not exist", e);
    } catch (IOException e) {
      throw new NtbToolException(
          file, what + ": writing '" + text.strip() + "' to " + file + " failed: " + e, e);
    }
  }
}
