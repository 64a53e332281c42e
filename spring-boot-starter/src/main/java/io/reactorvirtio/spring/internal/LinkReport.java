package io.reactorvirtio.spring.internal;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgChannel;
import io.reactorvirtio.spring.RpmsgLinks;
import io.reactorvirtio.virtio.VirtioException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What health and the {@code rpmsg} actuator endpoint say of one link: plain values, no blocking. */
public final class LinkReport {

  private LinkReport() {}

  public static Map<String, Object> of(RpmsgLinks links, String name) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("state", links.state(name).name());
    d.put("transport", links.settings(name).getTransport().name().toLowerCase());
    d.put("role", links.settings(name).getRole().name().toLowerCase());
    d.put("path", links.path(name).toString());
    VirtioException problem = links.lastProblem(name);
    if (problem != null) {
      d.put("lastProblem", problem.getMessage());
    }
    String waiting = links.waitingFor(name);
    if (waiting != null) {
      d.put("waitingFor", waiting);
    }
    RpmsgBus bus = links.busNow(name);
    if (bus != null) {
      d.put("busUp", bus.isUp());
      List<String> channels = bus.remoteChannels().stream().map(LinkReport::channel).toList();
      d.put("remoteChannels", channels);
      var s = bus.stats();
      d.put("received", s.received());
      d.put("sent", s.sent());
      d.put("dropped", s.dropped());
    }
    return d;
  }

  static String channel(RpmsgChannel c) {
    return c.name() + "@" + c.address();
  }
}
