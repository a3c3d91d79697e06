/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register map of QEMU's "edu" device (hw/misc/edu.c), as measured on
 * QEMU 7.2; see Documentation/edu-device.md for the quirks.
 */
#ifndef EDUDMA_REGS_H
#define EDUDMA_REGS_H

#include <linux/bits.h>

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8

#define EDU_BAR			0
#define EDU_IDENT_VALUE		0x010000edU

/* 4-byte registers below 0x80 */
#define EDU_REG_IDENT		0x00
#define EDU_REG_LIVENESS	0x04	/* reads back the bitwise inverse */
#define EDU_REG_FACTORIAL	0x08
#define EDU_REG_STATUS		0x20
#define  EDU_STATUS_COMPUTING	BIT(0)
#define  EDU_STATUS_IRQ_FACT	BIT(7)
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60
#define EDU_REG_IRQ_ACK		0x64

/* 4- or 8-byte registers from 0x80 */
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define  EDU_DMA_CMD_START	BIT(0)
#define  EDU_DMA_CMD_TO_RAM	BIT(1)	/* device buffer -> RAM */
#define  EDU_DMA_CMD_IRQ	BIT(2)

/* IRQ status bits */
#define EDU_IRQ_FACT		0x00000001U
#define EDU_IRQ_DMA		0x00000100U

/*
 * The device's DMA buffer: 4096 bytes at device address 0x40000.  QEMU
 * before 9.1 aborts the whole process (hw_error) unless 0 < count and
 * offset + count < 4096, so there the last usable byte is at offset 4094;
 * 9.1 and later take the whole buffer (edudma_dma_end() in edudma_main.c
 * tells which).
 */
#define EDU_DMA_WINDOW		0x40000ULL
#define EDU_DMA_WINDOW_SIZE	4096U
#define EDU_DMA_END_PRE_9_1	(EDU_DMA_WINDOW_SIZE - 1)	/* exclusive */

/* The device's default DMA mask: it silently clamps to 28 bits. */
#define EDU_DEFAULT_DMA_BITS	28

#endif /* EDUDMA_REGS_H */
