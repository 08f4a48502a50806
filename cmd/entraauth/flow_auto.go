package main

import (
	"math"

	"github.com/entraauth/entraauth/auto"
)

// cliFlows maps package auto's flows to login's --flow names. The Azure
// CLI session has none: it serves tokens, it does not sign anyone in.
var cliFlows = map[auto.Flow]string{auto.Broker: "broker", auto.Browser: "browser", auto.DeviceCode: "device"}

// autoFlow is login's default flow: the first flow, in package auto's
// order (broker, browser, device code), that this build registers and
// that is available in this session; nil when none is. It returns a copy
// with the lowest Priority, so chooseFlow's Priority loop keeps it; the
// loop decides only for a build where none of auto's flows is available.
func autoFlow(s *session) *flow {
	for _, af := range auto.DefaultOrder() {
		f, ok := flows[cliFlows[af]]
		if ok && (f.Available == nil || f.Available(s)) {
			c := *f
			c.Priority = math.MinInt
			return &c
		}
	}
	return nil
}
