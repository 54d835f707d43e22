/* The ns16550a UART's registers, one byte each (reg-shift 0), as the
 * 16550 data sheet names them; only what the console driver uses. */
#ifndef UART_NS16550_H
#define UART_NS16550_H

#define UART_RBR      0          /* receive buffer (read) */
#define UART_IER      1          /* interrupt enable */
#define UART_LSR      5          /* line status */

#define UART_IER_RDA  0x01       /* interrupt when received data is available */
#define UART_LSR_DR   0x01       /* data ready: RBR holds a byte */

#endif
