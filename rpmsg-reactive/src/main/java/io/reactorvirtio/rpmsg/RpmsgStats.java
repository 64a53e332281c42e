package io.reactorvirtio.rpmsg;

/**
 * Counters of a bus since it started. Every message that is not delivered is in exactly one
 * {@code dropped*} counter (and logged, rate-limited, with the peer's values).
 *
 * @param received messages taken from the inbound ring
 * @param delivered data messages put in an endpoint's queue
 * @param control name-service and address-service messages acted on
 * @param sent messages written to the outbound ring (data and control)
 * @param droppedBadHeader header shorter than 16 bytes or {@code len} running past the buffer
 * @param droppedUnknownAddress data for an address no endpoint holds
 * @param droppedQueueFull data for an endpoint whose queue was full under {@link OverflowPolicy#DROP}
 * @param droppedBadNameService name-service messages that are not exactly 40 bytes
 * @param unterminatedNames name-service/address-service names without any NUL in their 32
 *     bytes (accepted, cut at 31 bytes, as Linux does)
 * @param droppedChannelLimit announcements beyond {@link RpmsgOptions#maxChannels()}
 * @param droppedUnknownDestroy NS DESTROY for a channel that was never announced
 * @param droppedBadAddressService address-service messages of the wrong size or for no endpoint
 */
public record RpmsgStats(long received, long delivered, long control, long sent, long droppedBadHeader, long droppedUnknownAddress,
    long droppedQueueFull, long droppedBadNameService, long unterminatedNames, long droppedChannelLimit,
    long droppedUnknownDestroy, long droppedBadAddressService) {

  /**
   * All messages dropped, for any reason. Every received message is delivered, acted on as control,
   * or dropped: {@code received == delivered + control + dropped()} once the bus is idle.
   */
  public long dropped() {
    return droppedBadHeader + droppedUnknownAddress + droppedQueueFull + droppedBadNameService + droppedChannelLimit
        + droppedUnknownDestroy + droppedBadAddressService;
  }
}
