# SPDX-License-Identifier: ISC
#
# Benchmark helpers: the netns test library, plus reading interface
# counters inside a namespace.  Benchmarks print numbers; they do not
# pass or fail on timing.

. "$(dirname "$0")/../netns/lib.sh"

# rx_packets NS IF
rx_packets() {
	nsx "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}

# settle NS IF: wait until the interface's RX counter stops moving.
settle() {
	prev=-1
	cur=$(rx_packets "$1" "$2")
	i=0
	while [ "$cur" != "$prev" ] && [ $i -lt 50 ]; do
		prev=$cur
		sleep 0.05
		cur=$(rx_packets "$1" "$2")
		i=$((i + 1))
	done
	echo "$cur"
}
