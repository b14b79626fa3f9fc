/*
 * kmem.h — the kernel's physical page allocator over one RAM region.
 *
 * Runs of pages, aligned as asked (rings and buffer pools need the
 * alignment their capabilities' bounds demand). Freed pages are zeroed
 * (tags cleared) so that no owner ever sees a previous owner's bytes.
 */
#ifndef CAPIO_KERNEL_KMEM_H
#define CAPIO_KERNEL_KMEM_H

#include <stdint.h>

struct phys;
struct kmem;

struct kmem *kmem_new(struct phys *phys, uint64_t base, uint64_t size);
void kmem_free_all(struct kmem *km);
/* len bytes (rounded up to pages) aligned to align (a power of two,
 * at least a page), zeroed. 0 and *pa, or -ENOMEM / -EINVAL. */
int kmem_alloc(struct kmem *km, uint64_t len, uint64_t align, uint64_t *pa);
/* Give back a run kmem_alloc returned; it is zeroed first. */
void kmem_release(struct kmem *km, uint64_t pa, uint64_t len);
uint64_t kmem_free_pages(const struct kmem *km);

#endif
