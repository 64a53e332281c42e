package io.reactorvirtio.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeerProcessTest {

  private static final Duration STARTUP = Duration.ofSeconds(30);

  @Test
  void printsAwaitedLineAndReportsExitCode() throws Exception {
    try (PeerProcess peer = PeerProcess.start(EchoPeerMain.class, "exit3", "a", "b c")) {
      assertThat(peer.awaitLine("hello", STARTUP)).isEqualTo("hello a b c");
      assertThat(peer.waitFor(STARTUP)).isEqualTo(3);
      assertThat(peer.awaitLine("to stderr", Duration.ofSeconds(1))).isEqualTo("to stderr");
      assertThat(peer.logTail()).contains("hello a b c").contains("to stderr");
      assertThat(peer.pid()).isPositive().isNotEqualTo(ProcessHandle.current().pid());
      assertThat(Files.exists(peer.logFile())).isTrue();
    }
  }

  @Test
  void killEndsAPeerWithSigkill() {
    PeerProcess peer = PeerProcess.start(EchoPeerMain.class, "sleep");
    try (peer) {
      assertThat(peer.awaitLine("READY", STARTUP)).isEqualTo("READY pid " + peer.pid());
      assertThat(peer.isAlive()).isTrue();
      peer.kill();
      assertThat(peer.waitFor(Duration.ofSeconds(10))).isEqualTo(128 + 9);
      assertThat(peer.isAlive()).isFalse();
    }
  }

  @Test
  void closeKillsARunningPeer() {
    PeerProcess peer = PeerProcess.start(EchoPeerMain.class, "sleep");
    peer.awaitLine("READY", STARTUP);
    peer.close();
    assertThat(peer.isAlive()).isFalse();
    assertThat(ProcessHandle.of(peer.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void awaitLineFailsWithTheLogWhenThePeerDiesFirst() {
    try (PeerProcess peer = PeerProcess.start(EchoPeerMain.class, "exit3", "x")) {
      assertThatThrownBy(() -> peer.awaitLine("never printed", STARTUP))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("exited with code 3")
          .hasMessageContaining("hello x");
    }
  }

  @Test
  void awaitLineTimesOut() {
    try (PeerProcess peer = PeerProcess.start(EchoPeerMain.class, "sleep")) {
      peer.awaitLine("READY", STARTUP);
      long start = System.nanoTime();
      assertThatThrownBy(() -> peer.awaitLine("never printed", Duration.ofMillis(200)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("within PT0.2S")
          .hasMessageContaining("READY");
      assertThat(System.nanoTime() - start)
          .isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    }
  }

  @Test
  void waitForTimesOutOnARunningPeer() {
    try (PeerProcess peer = PeerProcess.start(EchoPeerMain.class, "sleep")) {
      peer.awaitLine("READY", STARTUP);
      assertThatThrownBy(() -> peer.waitFor(Duration.ofMillis(100)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("still running");
    }
  }

  @Test
  void silentPeerHasEmptyTail() {
    try (PeerProcess peer = PeerProcess.start(EchoPeerMain.class, "silent")) {
      assertThat(peer.waitFor(STARTUP)).isEqualTo(7);
      assertThat(peer.logTail()).isEmpty();
    }
  }
}
