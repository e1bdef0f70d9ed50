package main

import "net"

// ipString shows an axon IP (4 or 16 bytes).
func ipString(b []byte) string {
	if len(b) != 4 && len(b) != 16 {
		return ""
	}
	return net.IP(b).String()
}
