/*
 * attack_nvme.h — `capio attack --nvme`, the NVMe tenant attacks under
 * three arms (cmd_attack_nvme.c); cmd_attack hands the arguments over.
 */
#ifndef CAPIO_APPS_ATTACK_NVME_H
#define CAPIO_APPS_ATTACK_NVME_H

/* The usage line, for cmd_attack's. */
#define ATTACK_NVME_USAGE "capio attack --nvme [--arm page|capio|isolated|all] " \
	"[--only ID[,ID...]] [--json] [--iommu on|off] [--list]"

/* ARGV holds "--nvme" among the options. Exit status. */
int cmd_attack_nvme(int argc, char **argv);

#endif
