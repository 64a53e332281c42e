package io.reactorvirtio.virtio;

/** A way the peer broke the configuration protocol (virtio spec 2.1–2.2, 3.1, 4.1.4.3). */
public enum ConfigViolation {
  /** queue_size not a power of two (split rings). */
  QUEUE_SIZE_NOT_POWER_OF_TWO("queue_size is not a power of two"),
  /** queue_size above the device's maximum or above 32768. */
  QUEUE_SIZE_TOO_LARGE("queue_size is above the maximum"),
  /** A ring address outside the window or misaligned. */
  RING_ADDRESS("ring address is outside the window or misaligned"),
  /** queue_select naming a queue the device does not have. */
  NO_SUCH_QUEUE("queue_select names no queue"),
  /** The driver accepted features the device never offered. */
  FEATURES_NOT_OFFERED("driver accepted features the device did not offer"),
  /** A status bit cleared without a reset (status going backwards). */
  STATUS_BACKWARDS("device_status went backwards without a reset"),
  /** A status step out of order (DRIVER_OK before FEATURES_OK, FEATURES_OK before DRIVER...). */
  STATUS_OUT_OF_ORDER("device_status set out of order"),
  /** The driver never set DRIVER_OK within the bound. */
  NO_DRIVER_OK("the driver did not set DRIVER_OK in time"),
  /** The driver set FAILED. */
  DRIVER_FAILED("the driver set FAILED"),
  /** The device is not what the driver was made for (device id, queue count or directions, sizes). */
  DEVICE_MISMATCH("the device is not the one this link was made for"),
  /** The device does not offer a feature the driver needs (VERSION_1, EVENT_IDX). */
  FEATURE_MISSING("the device does not offer a feature this link needs"),
  /** A queue the driver did not enable (queue_enable != 1) when it set DRIVER_OK. */
  QUEUE_NOT_ENABLED("queue_enable is not 1 at DRIVER_OK"),
  /** A device-specific configuration value out of range (e.g. the buffer size). */
  DEVICE_CONFIG("a device-specific configuration value is out of range");

  private final String description;

  ConfigViolation(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
