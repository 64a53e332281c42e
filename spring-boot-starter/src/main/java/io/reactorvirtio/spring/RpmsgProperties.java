package io.reactorvirtio.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code rpmsg.links.<name>.*}: one link per entry.
 *
 * <pre>
 * rpmsg.links.soc1.transport=epf        # epf (simulated PCIe RC/EP, the default), ntb (simulated NTB), shm
 * rpmsg.links.soc1.role=driver          # driver (RC, NTB host 1: creates the file) or device (EP, host 2)
 * rpmsg.links.soc1.path=/dev/shm/soc1   # the shared file; default /dev/shm/rpmsg-&lt;name&gt;
 * rpmsg.links.soc1.queue-size=256
 * rpmsg.links.soc1.buffer-size=512
 * rpmsg.links.soc1.liveness=1s          # a silent peer is DOWN after this (0 = off)
 * rpmsg.links.soc1.idle=spin-then-park  # busy-poll, spin-then-park, park-only
 * rpmsg.links.soc1.spin=50us
 * </pre>
 */
@ConfigurationProperties("rpmsg")
public class RpmsgProperties {

  private final Map<String, Link> links = new LinkedHashMap<>();

  public Map<String, Link> getLinks() {
    return links;
  }

  /** Which link implementation carries the rings. */
  public enum Transport { EPF, NTB, SHM }

  /** Which virtio role this side plays. */
  public enum Role { DRIVER, DEVICE }

  /** The link poller's idle policy. */
  public enum Idle { BUSY_POLL, SPIN_THEN_PARK, PARK_ONLY }

  /** One link's settings. */
  public static class Link {
    private Transport transport = Transport.EPF;
    private Role role = Role.DRIVER;
    private @Nullable String path;
    private int queueSize = 256;
    private int bufferSize = 512;
    private Duration liveness = Duration.ofSeconds(1);
    private Idle idle = Idle.SPIN_THEN_PARK;
    private Duration spin = Duration.ofNanos(50_000);
    private boolean eventIdx = true;
    private Duration sendTimeout = Duration.ofSeconds(15);

    public Transport getTransport() {
      return transport;
    }

    public void setTransport(Transport transport) {
      this.transport = transport;
    }

    public Role getRole() {
      return role;
    }

    public void setRole(Role role) {
      this.role = role;
    }

    public @Nullable String getPath() {
      return path;
    }

    public void setPath(@Nullable String path) {
      this.path = path;
    }

    public int getQueueSize() {
      return queueSize;
    }

    public void setQueueSize(int queueSize) {
      this.queueSize = queueSize;
    }

    public int getBufferSize() {
      return bufferSize;
    }

    public void setBufferSize(int bufferSize) {
      this.bufferSize = bufferSize;
    }

    public Duration getLiveness() {
      return liveness;
    }

    public void setLiveness(Duration liveness) {
      this.liveness = liveness;
    }

    public Idle getIdle() {
      return idle;
    }

    public void setIdle(Idle idle) {
      this.idle = idle;
    }

    public Duration getSpin() {
      return spin;
    }

    public void setSpin(Duration spin) {
      this.spin = spin;
    }

    public boolean isEventIdx() {
      return eventIdx;
    }

    public void setEventIdx(boolean eventIdx) {
      this.eventIdx = eventIdx;
    }

    public Duration getSendTimeout() {
      return sendTimeout;
    }

    public void setSendTimeout(Duration sendTimeout) {
      this.sendTimeout = sendTimeout;
    }
  }
}
