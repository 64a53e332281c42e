package io.reactorvirtio.rpmsg.internal.bus;

import io.reactorvirtio.rpmsg.ChannelEvent;
import io.reactorvirtio.rpmsg.EndpointOptions;
import io.reactorvirtio.rpmsg.OverflowPolicy;
import io.reactorvirtio.rpmsg.RpmsgAddress;
import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgChannel;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgEndpointClosedException;
import io.reactorvirtio.rpmsg.RpmsgFeature;
import io.reactorvirtio.rpmsg.RpmsgLinkDownException;
import io.reactorvirtio.rpmsg.RpmsgMessageTooLargeException;
import io.reactorvirtio.rpmsg.RpmsgOptions;
import io.reactorvirtio.rpmsg.RpmsgStats;
import io.reactorvirtio.rpmsg.RpmsgTimeoutException;
import io.reactorvirtio.rpmsg.internal.wire.AddressServiceLayout;
import io.reactorvirtio.rpmsg.internal.wire.AddressServiceMessage;
import io.reactorvirtio.rpmsg.internal.wire.InboundFrame;
import io.reactorvirtio.rpmsg.internal.wire.NameCodec;
import io.reactorvirtio.rpmsg.internal.wire.NameServiceLayout;
import io.reactorvirtio.rpmsg.internal.wire.NameServiceMessage;
import io.reactorvirtio.rpmsg.internal.wire.RpmsgHeader;
import io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.Virtqueue;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The rpmsg bus over one inbound and one outbound virtqueue, role-agnostic.
 *
 * <p><b>Receive.</b> One subscription to the inbound queue; each lease is parsed on the poller
 * thread: length from the header (never the used length, which OpenAMP sets to the whole buffer),
 * checked against the buffer; then name service (53), address service (54, opt-in) or an
 * endpoint's queue by {@code dst}. Everything not delivered is released at once and counted. The
 * bus keeps one ring's worth of demand outstanding and renews it per message, except while an
 * endpoint under {@link OverflowPolicy#BACKPRESSURE} is full: then the credit is owed and paid when
 * that queue drains.
 *
 * <p><b>Send.</b> Each {@code send} call is its own {@code Virtqueue.send}: the queue shares its
 * credit among concurrent sends (each reserves before requesting) and every call keeps its own
 * order. The header and payload are encoded straight into the ring buffer.
 */
public final class VirtioRpmsgBus implements RpmsgBus {

  private static final Logger log = LoggerFactory.getLogger(VirtioRpmsgBus.class);

  /** Payload views of the outbound ring buffers, so that zero-copy sends allocate no slice. */
  private final PayloadViews payloadViews = new PayloadViews(1024);
  private final RpmsgOptions options;
  private final String name;
  private final boolean ns;
  private final boolean as;
  private final EndpointTable endpoints = new EndpointTable();
  private final AddressAllocator addresses = new AddressAllocator();
  private final Map<String, RpmsgChannel> remote = new LinkedHashMap<>();
  private final Sinks.Many<ChannelEvent> events = Sinks.many().multicast().directBestEffort();
  private final Object emitLock = new Object();
  private final AtomicInteger fullEndpoints = new AtomicInteger();
  /** The queues the bus runs on now; replaced by {@link #attach} after the link came back. */
  private volatile Attachment att;
  private volatile boolean closed;
  /** Non-null while the link is down. */
  private volatile @Nullable Throwable linkFailure;
  /** Completes when the link is (back) up; replaced when it goes down. */
  private volatile Sinks.Empty<Void> upSink = Sinks.empty();

  // counters (poller thread writes most; AtomicLong for cross-thread reads)
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong control = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong queueFullDrops = new AtomicLong();
  private final RateLimitedLog badHeader = new RateLimitedLog(this, "bad rpmsg header");
  private final RateLimitedLog unknownAddress = new RateLimitedLog(this, "message for an unknown address");
  private final RateLimitedLog badNameService = new RateLimitedLog(this, "bad name-service message");
  private final RateLimitedLog unterminated = new RateLimitedLog(this, "unterminated name-service name");
  private final RateLimitedLog channelLimit = new RateLimitedLog(this, "announcement beyond the channel limit");
  private final RateLimitedLog unknownDestroy = new RateLimitedLog(this, "destroy for an unknown channel");
  private final RateLimitedLog badAddressService = new RateLimitedLog(this, "bad address-service message");

  private VirtioRpmsgBus(Virtqueue inbound, Virtqueue outbound, RpmsgOptions options) {
    this.options = options;
    this.name = options.name();
    this.ns = options.has(RpmsgFeature.NAME_SERVICE);
    this.as = options.has(RpmsgFeature.ADDRESS_SERVICE);
    this.att = new Attachment(inbound, outbound);
  }

  /** Creates the bus and starts receiving. */
  public static VirtioRpmsgBus start(Virtqueue inbound, Virtqueue outbound, RpmsgOptions options) {
    VirtioRpmsgBus bus = new VirtioRpmsgBus(inbound, outbound, options);
    bus.up(bus.att);
    return bus;
  }

  /** One pair of queues the bus runs on: between a link coming up and going down. */
  private final class Attachment {
    final Virtqueue inbound;
    final Virtqueue outbound;
    final int mtu;
    final PooledMessage[] pool;
    final InboundSubscriber subscriber;
    volatile boolean down;

    Attachment(Virtqueue inbound, Virtqueue outbound) {
      if (inbound.direction() != Virtqueue.Direction.INBOUND
          || outbound.direction() != Virtqueue.Direction.OUTBOUND) {
        throw new IllegalArgumentException("rpmsg bus needs an inbound and an outbound queue: " + inbound + ", "
            + outbound);
      }
      this.inbound = inbound;
      this.outbound = outbound;
      this.mtu = RpmsgHeaderLayout.mtu(outbound.maxMessageSize());
      this.pool = new PooledMessage[inbound.size()];
      this.subscriber = new InboundSubscriber(this);
    }
  }

  private void up(Attachment a) {
    a.inbound.receive().subscribe(a.subscriber);
    linkFailure = null;
    upSink.tryEmitEmpty();
    emit(new ChannelEvent.LinkUp());
  }

  /**
   * Runs the bus on new queues after its link went down and came back (a peer restart, a
   * re-established transport): endpoints, their addresses and their subscribers stay; announced
   * endpoints are announced again; sends waiting for the link go on.
   *
   * @throws IllegalStateException when the bus is closed or its link is still up
   */
  public void attach(Virtqueue inbound, Virtqueue outbound) {
    Attachment next;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("rpmsg bus " + name + " is closed");
      }
      if (!att.down) {
        throw new IllegalStateException("rpmsg bus " + name + " is still attached to " + att.inbound.name()
            + " / " + att.outbound.name() + " (the link is up)");
      }
      next = new Attachment(inbound, outbound);
      att = next;
    }
    up(next);
    if (ns) {
      for (BusEndpoint ep : endpoints.all()) {
        if (ep.isAnnounced() && !ep.isClosed()) {
          int flags = as ? NameServiceLayout.FLAG_AS_ANNOUNCE : NameServiceLayout.FLAG_CREATE;
          sendNameService(ep, NameCodec.encode(ep.name()), flags).subscribe(null,
              e -> logLater("{}: re-announcing {}: {}", name, ep, e.toString()));
        }
      }
    }
  }

  @Override
  public boolean isUp() {
    return linkFailure == null && !closed;
  }

  @Override
  public RpmsgOptions options() {
    return options;
  }

  @Override
  public int mtu() {
    return att.mtu;
  }

  @Override
  public String toString() {
    Attachment a = att;
    return "RpmsgBus[" + name + ", rx " + a.inbound.name() + ", tx " + a.outbound.name() + "]";
  }

  // =================================================================================== receive

  private final class InboundSubscriber implements CoreSubscriber<BufferLease> {

    private final Attachment a;
    private final AtomicLong owed = new AtomicLong();
    private volatile @Nullable Subscription upstream;

    InboundSubscriber(Attachment a) {
      this.a = a;
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        // One ring of credit; owed instead while an endpoint queue is still full from before.
        owed.addAndGet(a.inbound.size());
        if (fullEndpoints.get() == 0) {
          payOwed();
        }
      }
    }

    @Override
    public void onNext(BufferLease lease) {
      try {
        onLease(a, lease);
      } catch (Throwable e) {
        // A bug of ours must not stop the link: drop the message and keep going.
        reactor.core.Exceptions.throwIfJvmFatal(e);
        logLater("{}: failed to handle an inbound message; dropped: {}", name, e.toString());
        lease.release(); // idempotent
      }
      credit();
    }

    @Override
    public void onError(Throwable t) {
      linkDown(a, t);
    }

    @Override
    public void onComplete() {
      linkDown(a, new IllegalStateException("inbound queue completed"));
    }

    /** Poller thread: renews one message of ring credit, or owes it while an endpoint is full. */
    void credit() {
      if (fullEndpoints.get() == 0) {
        request(1);
      } else {
        owed.incrementAndGet();
        if (fullEndpoints.get() == 0) {
          payOwed();
        }
      }
    }

    void payOwed() {
      long k = owed.getAndSet(0);
      if (k > 0) {
        request(k);
      }
    }

    void request(long n) {
      Subscription s = upstream;
      if (s != null) {
        s.request(n);
      }
    }

    void cancel() {
      Subscription s = upstream;
      if (s != null) {
        s.cancel();
      }
    }
  }

  /**
   * Logs off the poller thread: writing a log line is blocking I/O, and the poller is a
   * non-blocking thread (BlockHound enforces it in tests). Rare by construction (rate-limited).
   */
  void logLater(String format, Object... args) {
    Schedulers.boundedElastic().schedule(() -> log.warn(format, args));
  }

  void debugLater(String format, Object... args) {
    Schedulers.boundedElastic().schedule(() -> log.debug(format, args));
  }

  void endpointFull() {
    fullEndpoints.incrementAndGet();
  }

  void endpointDrained() {
    if (fullEndpoints.decrementAndGet() == 0) {
      att.subscriber.payOwed();
    }
  }

  private void onLease(Attachment a, BufferLease lease) {
    PooledMessage[] pool = a.pool;
    received.incrementAndGet();
    MemorySegment d = lease.data();
    int kind = InboundFrame.classify(d, ns, as);
    if (kind == InboundFrame.BAD_HEADER) {
      long available = d.byteSize();
      badHeader.hit(name, available < RpmsgHeaderLayout.SIZE
          ? "buffer of " + available + " bytes is shorter than the 16-byte header"
          : "src " + RpmsgAddress.toString(RpmsgHeader.src(d, 0)) + " dst "
              + RpmsgAddress.toString(RpmsgHeader.dst(d, 0)) + ": "
              + RpmsgHeaderLayout.checkLength(available, RpmsgHeader.len(d, 0)));
      lease.release();
      return;
    }
    int src = RpmsgHeader.src(d, 0);
    int dst = RpmsgHeader.dst(d, 0);
    int len = RpmsgHeader.len(d, 0);
    if (kind != InboundFrame.DATA) {
      try {
        switch (kind) {
          case InboundFrame.NAME_SERVICE -> onNameService(d, src);
          case InboundFrame.BAD_NAME_SERVICE -> badNameService.hit(name, "src " + RpmsgAddress.toString(src)
              + " len " + len + " (must be exactly " + NameServiceLayout.SIZE + ")");
          case InboundFrame.ADDRESS_SERVICE -> onAddressService(d, src);
          default -> badAddressService.hit(name, "src " + RpmsgAddress.toString(src) + " len " + len
              + " (must be exactly " + AddressServiceLayout.SIZE + ")");
        }
      } finally {
        lease.release();
      }
      return;
    }
    BusEndpoint ep = endpoints.get(dst);
    if (ep == null || ep.isTerminated()) {
      unknownAddress.hit(name, "src " + RpmsgAddress.toString(src) + " dst " + RpmsgAddress.toString(dst) + " len "
          + len);
      lease.release();
      return;
    }
    if (ep.destination() == RpmsgAddress.ANY) {
      ep.bind(src, "source of the first message"); // OpenAMP: adopt the sender's address
    }
    int slot = lease.slot();
    PooledMessage m;
    if (slot >= 0 && slot < pool.length) {
      m = pool[slot];
      if (m == null) {
        m = new PooledMessage(lease);
        pool[slot] = m;
      }
    } else {
      m = new PooledMessage(lease);
    }
    m.set(lease, src, dst, len);
    if (ep.dropIfFull(m)) {
      queueFullDrops.incrementAndGet();
    } else {
      delivered.incrementAndGet(); // before the subscriber sees it
      ep.enqueue(m);
    }
  }

  // ============================================================================ name service

  private static String key(String channel, int address) {
    return channel + '\u0000' + Integer.toUnsignedString(address);
  }

  /** Poller thread. */
  private void onNameService(MemorySegment d, int src) {
    long p = RpmsgHeaderLayout.SIZE;
    if (!NameServiceMessage.nameTerminated(d, p)) {
      unterminated.note(name, "src " + RpmsgAddress.toString(src) + ": no NUL in name[32]; cut at 31 bytes");
    }
    String channel = NameServiceMessage.name(d, p);
    int addr = NameServiceMessage.addr(d, p);
    int flags = NameServiceMessage.flags(d, p);
    String k = key(channel, addr);
    if (NameServiceLayout.isDestroy(flags)) {
      RpmsgChannel ch;
      synchronized (remote) {
        ch = remote.remove(k);
      }
      if (ch == null) {
        unknownDestroy.hit(name, "'" + channel + "' @" + RpmsgAddress.toString(addr) + " flags " + flags
            + " from src " + RpmsgAddress.toString(src));
        return;
      }
      // OpenAMP: unbind the endpoint whose name and current destination both match.
      for (BusEndpoint ep : endpoints.all()) {
        if (ep.name().equals(channel)) {
          ep.unbind(addr);
        }
      }
      control.incrementAndGet();
      emit(new ChannelEvent.Destroyed(ch));
      return;
    }
    RpmsgChannel ch = new RpmsgChannel(channel, addr, RpmsgChannel.Origin.REMOTE,
        as && (flags & NameServiceLayout.FLAG_AS_ANNOUNCE) != 0);
    synchronized (remote) {
      if (remote.containsKey(k)) {
        remote.put(k, ch); // a repeated announcement (e.g. after a peer restart): refresh, no new channel
      } else if (remote.size() >= options.maxChannels()) {
        channelLimit.hit(name, "'" + channel + "' @" + RpmsgAddress.toString(addr) + " with "
            + remote.size() + " channels (limit " + options.maxChannels() + ")");
        return;
      } else {
        remote.put(k, ch);
      }
    }
    // OpenAMP: a local endpoint of that name still without a destination binds to the announcer.
    for (BusEndpoint ep : endpoints.all()) {
      if (ep.name().equals(channel) && ep.destination() == RpmsgAddress.ANY
          && ep.bind(addr, "announcement of '" + channel + "'") && ch.addressService() && !ep.isAnnounced()) {
        // RFC address service: tell the announcer where to send (as createEndpoint does).
        ep.assignedTo = addr;
        sendAddressService(ep, NameCodec.encode(channel), addr, AddressServiceLayout.FLAG_ASSIGN)
            .subscribe(null, e -> logLater("{}: address-service ASSIGN for {}: {}", name, ep, e.toString()));
      }
    }
    control.incrementAndGet();
    emit(new ChannelEvent.Created(ch));
  }

  /** Poller thread. RFC address service: the peer tells one of our announced endpoints where to send. */
  private void onAddressService(MemorySegment d, int src) {
    long p = RpmsgHeaderLayout.SIZE;
    if (!NameCodec.isTerminated(d, p + AddressServiceLayout.NAME_OFFSET)) {
      unterminated.note(name, "address service from src " + RpmsgAddress.toString(src) + ": cut at 31 bytes");
    }
    String channel = AddressServiceMessage.name(d, p);
    int peer = AddressServiceMessage.dst(d, p);
    int ours = AddressServiceMessage.src(d, p);
    int flags = AddressServiceMessage.flags(d, p);
    BusEndpoint ep = endpoints.get(ours);
    if (ep == null || !ep.name().equals(channel)) {
      badAddressService.hit(name, "'" + channel + "' for our address " + RpmsgAddress.toString(ours)
          + ": no such endpoint");
      return;
    }
    if ((flags & AddressServiceLayout.FLAG_ASSIGN) != 0) {
      if (!ep.bind(peer, "address service") && ep.destination() != peer) {
        badAddressService.hit(name, "'" + channel + "' @" + RpmsgAddress.toString(ours) + " already bound to "
            + RpmsgAddress.toString(ep.destination()) + ", peer assigns " + RpmsgAddress.toString(peer)
            + " (EBUSY)");
      } else {
        control.incrementAndGet();
      }
    } else if ((flags & AddressServiceLayout.FLAG_FREE) != 0) {
      ep.unbind(peer);
      control.incrementAndGet();
    } else {
      badAddressService.hit(name, "'" + channel + "' flags " + flags);
    }
  }

  private void emit(ChannelEvent e) {
    synchronized (emitLock) {
      events.tryEmitNext(e);
    }
  }

  /**
   * The inbound queue of {@code a} failed or closed: the peer's channels are gone (each a
   * {@code Destroyed} event after {@code LinkDown}), endpoints forget the addresses they learned
   * from the peer and drop what they had queued from the dead link, but stay open with their
   * subscribers, waiting for {@link #attach}.
   */
  private void linkDown(Attachment a, Throwable cause) {
    synchronized (this) {
      if (closed || a != att || a.down) {
        return;
      }
      a.down = true;
      upSink = Sinks.empty();
      linkFailure = cause;
    }
    logLater("{}: link down: {}", name, cause.toString());
    List<RpmsgChannel> gone;
    synchronized (remote) {
      gone = new ArrayList<>(remote.values());
      remote.clear();
    }
    for (BusEndpoint ep : endpoints.all()) {
      ep.linkDown();
    }
    emit(new ChannelEvent.LinkDown(cause));
    for (RpmsgChannel c : gone) {
      emit(new ChannelEvent.Destroyed(c));
    }
  }

  // =================================================================================== channels

  @Override
  public Mono<RpmsgChannel> channel(String channelName, Duration timeout) {
    Mono<RpmsgChannel> now = Mono.fromSupplier(() -> {
      synchronized (remote) {
        for (RpmsgChannel c : remote.values()) {
          if (c.name().equals(channelName)) {
            return c;
          }
        }
        return null;
      }
    });
    // Subscribe to events before looking at the registry, so an announcement between the two is not missed.
    Flux<RpmsgChannel> later = events.asFlux()
        .filter(e -> e instanceof ChannelEvent.Created c && c.channel().origin() == RpmsgChannel.Origin.REMOTE
            && c.channel().name().equals(channelName))
        .map(e -> ((ChannelEvent.Created) e).channel());
    return later.mergeWith(now).next()
        .timeout(timeout, Mono.defer(() -> Mono.error(new RpmsgTimeoutException("rpmsg bus " + name
            + ": the peer did not announce channel '" + channelName + "' within " + timeout, timeout))));
  }

  @Override
  public List<RpmsgChannel> remoteChannels() {
    synchronized (remote) {
      return List.copyOf(remote.values());
    }
  }

  @Override
  public Flux<ChannelEvent> channelEvents() {
    return events.asFlux();
  }

  // ================================================================================== endpoints

  @Override
  public Mono<RpmsgEndpoint> createEndpoint(EndpointOptions eo) {
    return Mono.defer(() -> {
      if (closed) {
        return Mono.error(new RpmsgEndpointClosedException("rpmsg bus " + name + " is closed"));
      }
      Throwable lf = linkFailure;
      if (lf != null) {
        return Mono.error(new RpmsgLinkDownException("rpmsg bus " + name + ": link down", lf));
      }
      byte[] nameBytes = NameCodec.encode(eo.name());
      int addr = addresses.allocate(eo.address(), "rpmsg bus " + name + ", endpoint '" + eo.name() + "'");
      int capacity = eo.queueCapacity() > 0 ? eo.queueCapacity() : options.queueCapacity();
      OverflowPolicy policy = eo.overflow() != null ? eo.overflow() : options.overflow();
      boolean announce = eo.announce() && ns;
      BusEndpoint ep = new BusEndpoint(this, addr, eo.name(), eo.destination(), announce, capacity, policy,
          att.inbound.size());
      endpoints.put(addr, ep);
      if (ep.destination() == RpmsgAddress.ANY && !eo.name().isEmpty()) {
        // OpenAMP: an endpoint created after the peer announced its name binds to it at once.
        synchronized (remote) {
          for (RpmsgChannel c : remote.values()) {
            if (c.name().equals(eo.name())) {
              ep.bind(c.address(), "earlier announcement of '" + c.name() + "'");
              break;
            }
          }
        }
      }
      Mono<Void> steps = Mono.empty();
      if (announce) {
        int flags = as ? NameServiceLayout.FLAG_AS_ANNOUNCE : NameServiceLayout.FLAG_CREATE;
        steps = sendNameService(ep, nameBytes, flags).then(Mono.fromRunnable(() ->
            emit(new ChannelEvent.Created(new RpmsgChannel(ep.name(), addr, RpmsgChannel.Origin.LOCAL, as)))));
      }
      RpmsgChannel acked = as ? announcedWithAddressService(eo.name(), ep.destination()) : null;
      if (acked != null) {
        ep.assignedTo = acked.address();
        steps = steps.then(sendAddressService(ep, nameBytes, acked.address(), AddressServiceLayout.FLAG_ASSIGN));
      }
      return steps.thenReturn((RpmsgEndpoint) ep).onErrorResume(e -> {
        if (endpoints.remove(addr, ep)) {
          addresses.free(addr);
        }
        ep.terminate(e);
        return Mono.error(e);
      });
    });
  }

  private @Nullable RpmsgChannel announcedWithAddressService(String channel, int address) {
    if (address == RpmsgAddress.ANY || channel.isEmpty()) {
      return null;
    }
    synchronized (remote) {
      RpmsgChannel c = remote.get(key(channel, address));
      return c != null && c.addressService() ? c : null;
    }
  }

  Mono<Void> closeEndpoint(BusEndpoint ep) {
    return Mono.defer(() -> {
      if (!ep.startClosing()) {
        return Mono.empty();
      }
      // Stop delivering first: from here, messages for this address count as unknown.
      if (endpoints.remove(ep.address(), ep)) {
        addresses.free(ep.address());
      }
      ep.terminate(null);
      Mono<Void> steps = Mono.empty();
      if (linkFailure == null) {
        byte[] nameBytes = ep.name().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (ep.isAnnounced()) {
          steps = sendNameService(ep, nameBytes, NameServiceLayout.FLAG_DESTROY)
              .then(Mono.fromRunnable(() -> emit(new ChannelEvent.Destroyed(
                  new RpmsgChannel(ep.name(), ep.address(), RpmsgChannel.Origin.LOCAL, as)))));
        }
        int assigned = ep.assignedTo;
        if (assigned != RpmsgAddress.ANY) {
          steps = steps.then(sendAddressService(ep, nameBytes, assigned, AddressServiceLayout.FLAG_FREE));
        }
      }
      return steps;
    });
  }

  // ======================================================================================= send

  private Mono<Void> sendNameService(BusEndpoint ep, byte[] nameBytes, int flags) {
    BufferWriter<BusEndpoint> w = (e, buf) -> {
      checkFits(e, NameServiceLayout.SIZE, buf);
      NameServiceMessage.write(buf, RpmsgHeaderLayout.SIZE, nameBytes, e.address(), flags);
      RpmsgHeader.write(buf, 0, e.address(), RpmsgAddress.NAME_SERVICE, NameServiceLayout.SIZE);
      sent.incrementAndGet();
      return RpmsgHeaderLayout.SIZE + NameServiceLayout.SIZE;
    };
    return controlSend(ep, w, "name-service " + (NameServiceLayout.isDestroy(flags) ? "DESTROY" : "CREATE"));
  }

  private Mono<Void> sendAddressService(BusEndpoint ep, byte[] nameBytes, int peerAddress, int flags) {
    BufferWriter<BusEndpoint> w = (e, buf) -> {
      checkFits(e, AddressServiceLayout.SIZE, buf);
      AddressServiceMessage.write(buf, RpmsgHeaderLayout.SIZE, nameBytes, e.address(), peerAddress, flags);
      RpmsgHeader.write(buf, 0, e.address(), RpmsgAddress.ADDRESS_SERVICE, AddressServiceLayout.SIZE);
      sent.incrementAndGet();
      return RpmsgHeaderLayout.SIZE + AddressServiceLayout.SIZE;
    };
    return controlSend(ep, w, "address-service " + (flags == AddressServiceLayout.FLAG_ASSIGN ? "ASSIGN" : "FREE"));
  }

  private Mono<Void> controlSend(BusEndpoint ep, BufferWriter<BusEndpoint> w, String what) {
    Duration t = options.sendTimeout();
    return att.outbound.send(Mono.just(ep), w)
        .timeout(t, Mono.defer(() -> Mono.error(new RpmsgTimeoutException("rpmsg endpoint " + ep.describe()
            + ": " + what + " not in the ring after " + t + " (no free ring buffer: the peer is not consuming)", t))));
  }

  private void checkFits(BusEndpoint ep, long payload, MemorySegment buf) {
    long room = Math.min(att.mtu, buf.byteSize() - RpmsgHeaderLayout.SIZE);
    if (payload > room) {
      throw new RpmsgMessageTooLargeException(ep.describe(), payload, (int) Math.max(0, room));
    }
  }

  /**
   * Watch over one send call: the call is waiting for the peer when the ring sender has no
   * outstanding request to upstream (it requests only as many items as there are free buffers) and
   * upstream has not completed — or when the destination is not known yet. Waiting on upstream
   * itself (a slow or idle producer) is not a stall.
   */
  private static final class SendProgress {
    final AtomicLong outstanding = new AtomicLong();
    final AtomicLong written = new AtomicLong();
    volatile long lastChange = System.nanoTime();
    volatile boolean linkUp;
    volatile boolean bound;

    void requested(long n) {
      if (outstanding.getAndAdd(n) + n < 0) {
        outstanding.set(Long.MAX_VALUE);
      }
      lastChange = System.nanoTime();
    }

    void arrived() {
      outstanding.decrementAndGet();
      lastChange = System.nanoTime();
    }

    boolean stalledLongerThan(long nanos) {
      return outstanding.get() <= 0 && System.nanoTime() - lastChange > nanos;
    }
  }

  <T> Mono<Void> send(BusEndpoint ep, int explicitDst, Publisher<? extends T> items,
      @Nullable BufferWriter<T> payloadWriter, java.util.function.@Nullable ToIntFunction<? super T> perItemDst,
      @Nullable Duration timeout) {
    Duration t = timeout != null ? timeout : options.sendTimeout();
    return Mono.defer(() -> {
      if (ep.isClosed()) {
        return Mono.error(ep.closedError());
      }
      SendProgress progress = new SendProgress();
      // While the link is down, wait (bounded by the watchdog) for attach(); then for the address.
      Mono<Void> up = linkFailure == null ? Mono.empty() : upSink.asMono();
      Mono<Integer> dst = up.then(Mono.defer(() -> {
        progress.linkUp = true;
        return explicitDst != RpmsgAddress.ANY || perItemDst != null ? Mono.just(explicitDst)
            : ep.destinationForSend();
      }));
      int src = ep.address();
      Flux<T> watched = Flux.<T>from(items).doOnRequest(progress::requested).doOnNext(x -> progress.arrived());
      Mono<Void> sending = dst.flatMap(d -> {
        progress.bound = true;
        progress.lastChange = System.nanoTime();
        Attachment a = att;
        int mtu = a.mtu;
        BufferWriter<T> frame;
        if (payloadWriter == null) {
          frame = (item, buf) -> {
            MemorySegment payload = (MemorySegment) item;
            long n = payload.byteSize();
            checkFits(ep, n, buf);
            MemorySegment.copy(payload, 0, buf, RpmsgHeaderLayout.SIZE, n);
            RpmsgHeader.write(buf, 0, src, d, (int) n);
            sent.incrementAndGet();
            progress.written.incrementAndGet();
            return RpmsgHeaderLayout.SIZE + (int) n;
          };
        } else {
          frame = (item, buf) -> {
            int room = (int) Math.min(mtu, buf.byteSize() - RpmsgHeaderLayout.SIZE);
            int to = perItemDst != null ? perItemDst.applyAsInt(item) : d;
            int n = payloadWriter.write(item, payloadViews.payloadOf(buf, Math.max(0, room)));
            if (n < 0 || n > room) {
              throw new RpmsgMessageTooLargeException(ep.describe(), n, room);
            }
            RpmsgHeader.write(buf, 0, src, to, n);
            sent.incrementAndGet();
            progress.written.incrementAndGet();
            return RpmsgHeaderLayout.SIZE + n;
          };
        }
        return a.outbound.send(watched, frame)
            .onErrorMap(io.reactorvirtio.virtio.LinkDownException.class, e -> new RpmsgLinkDownException(
                "rpmsg endpoint " + ep.describe() + ": the link went down during the send; "
                    + progress.written.get() + " message(s) of this call were sent", e));
      });
      long limit = t.toNanos();
      Duration period = Duration.ofNanos(Math.max(1_000_000L, limit / 8));
      Mono<Void> watchdog = Flux.interval(period, period)
          .filter(i -> progress.stalledLongerThan(limit))
          .next()
          .flatMap(i -> Mono.error(new RpmsgTimeoutException("rpmsg endpoint " + ep.describe()
              + ": send waited longer than " + t + (!progress.linkUp
                  ? " for the link to come back (it is down: " + linkFailure + ")"
                  : progress.bound
                  ? " for a free ring buffer (the peer is not consuming); " + progress.written.get()
                      + " message(s) of this call were sent"
                  : " for the peer's address (no announcement, address-service assignment or message from"
                      + " the peer yet)"), t)));
      return Mono.firstWithSignal(sending, watchdog);
    });
  }

  // ================================================================================ stats/close

  @Override
  public RpmsgStats stats() {
    return new RpmsgStats(received.get(), delivered.get(), control.get(), sent.get(), badHeader.count(), unknownAddress.count(),
        queueFullDrops.get(), badNameService.count(), unterminated.count(), channelLimit.count(),
        unknownDestroy.count(), badAddressService.count());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    List<Mono<Void>> closing = new ArrayList<>();
    for (BusEndpoint ep : endpoints.all()) {
      closing.add(closeEndpoint(ep).onErrorResume(e -> {
        log.debug("{}: closing {}: {}", name, ep, e.toString());
        return Mono.empty();
      }));
    }
    Mono<Void> all = Mono.when(closing);
    if (Schedulers.isInNonBlockingThread()) {
      all.subscribe();
    } else {
      try {
        all.block(Duration.ofSeconds(1));
      } catch (RuntimeException e) {
        log.debug("{}: withdrawing endpoints on close: {}", name, e.toString());
      }
    }
    closed = true;
    Attachment a = att;
    if (!a.down) {
      a.down = true;
      try {
        a.subscriber.cancel();
      } catch (RuntimeException e) {
        // The link closed under us meanwhile: virtio's cancel then touches an unmapped doorbell
        // ("Already closed"); the subscription is over either way.
        log.debug("{}: cancelling the inbound queue: {}", name, e.toString());
      }
    }
    events.tryEmitComplete();
  }
}
