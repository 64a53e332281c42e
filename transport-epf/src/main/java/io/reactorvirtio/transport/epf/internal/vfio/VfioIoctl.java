package io.reactorvirtio.transport.epf.internal.vfio;

/**
 * VFIO ioctl request numbers: {@code _IO(VFIO_TYPE, VFIO_BASE + n)} with VFIO_TYPE {@code ';'}
 * (0x3B) and VFIO_BASE 100, so every request is {@code 0x3B00 | (100 + n)} — VFIO passes sizes
 * in {@code argsz}, not in the request. Pass them as a {@code long} to a variadic {@code ioctl}
 * downcall (FACTS §6).
 */
public final class VfioIoctl {

  /** {@code ';'}. */
  public static final int VFIO_TYPE = 0x3B;

  /** First request number. */
  public static final int VFIO_BASE = 100;

  /** Container: returns {@link #VFIO_API_VERSION}. */
  public static final long GET_API_VERSION = 0x3B64;
  /** Container: int argument (an IOMMU type); returns &gt; 0 if supported. */
  public static final long CHECK_EXTENSION = 0x3B65;
  /** Container: int argument (an IOMMU type). */
  public static final long SET_IOMMU = 0x3B66;
  /** Group: {@link VfioGroupStatusLayout}. */
  public static final long GROUP_GET_STATUS = 0x3B67;
  /** Group: pointer to an int container fd. */
  public static final long GROUP_SET_CONTAINER = 0x3B68;
  /** Group: no argument. */
  public static final long GROUP_UNSET_CONTAINER = 0x3B69;
  /** Group: NUL-terminated "DDDD:BB:DD.F"; returns the device fd. */
  public static final long GROUP_GET_DEVICE_FD = 0x3B6A;
  /** Device: {@link VfioDeviceInfoLayout}. */
  public static final long DEVICE_GET_INFO = 0x3B6B;
  /** Device: {@link VfioRegionInfoLayout}. */
  public static final long DEVICE_GET_REGION_INFO = 0x3B6C;
  /** Device: {@link VfioIrqInfoLayout}. */
  public static final long DEVICE_GET_IRQ_INFO = 0x3B6D;
  /** Device: {@link VfioIrqSetLayout}. */
  public static final long DEVICE_SET_IRQS = 0x3B6E;
  /** Device: no argument. */
  public static final long DEVICE_RESET = 0x3B6F;
  /** Container: vfio_iommu_type1_info (24 bytes). */
  public static final long IOMMU_GET_INFO = 0x3B70;
  /** Container: {@link VfioDmaMapLayout}. */
  public static final long IOMMU_MAP_DMA = 0x3B71;
  /** Container: vfio_iommu_type1_dma_unmap (24 bytes: argsz, flags, iova, size). */
  public static final long IOMMU_UNMAP_DMA = 0x3B72;

  /** VFIO_API_VERSION. */
  public static final int VFIO_API_VERSION = 0;

  /** IOMMU types for CHECK_EXTENSION / SET_IOMMU. */
  public static final int TYPE1_IOMMU = 1;
  public static final int TYPE1V2_IOMMU = 3;
  public static final int NOIOMMU_IOMMU = 8;

  /** PCI region indices. */
  public static final int PCI_BAR0_REGION_INDEX = 0;
  public static final int PCI_ROM_REGION_INDEX = 6;
  public static final int PCI_CONFIG_REGION_INDEX = 7;
  public static final int PCI_VGA_REGION_INDEX = 8;

  /** PCI IRQ indices. */
  public static final int PCI_INTX_IRQ_INDEX = 0;
  public static final int PCI_MSI_IRQ_INDEX = 1;
  public static final int PCI_MSIX_IRQ_INDEX = 2;
  public static final int PCI_ERR_IRQ_INDEX = 3;
  public static final int PCI_REQ_IRQ_INDEX = 4;

  private VfioIoctl() {}

  /** {@code VFIO_TYPE << 8 | (VFIO_BASE + n)}: the request number of the n-th VFIO ioctl. */
  public static long request(int n) {
    return (long) VFIO_TYPE << 8 | (VFIO_BASE + n);
  }
}
