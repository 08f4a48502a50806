package main

import "github.com/entraauth/entraauth/auto"

// cliFlows maps package auto's flows to login's --flow names. The Azure
// CLI session has none: it serves tokens, it does not sign anyone in.
var cliFlows = map[auto.Flow]string{auto.Broker: "broker", auto.Browser: "browser", auto.DeviceCode: "device"}

// autoFlow picks which of package auto's flows login defaults to: the
// first, in auto's order (broker, browser, device code), that this build
// registers and that is available in this session; nil when none is. It
// returns a copy ranked just before the best Priority among those
// available flows, so chooseFlow's loop keeps auto's choice over the
// other auto flows, while a flow outside auto's list registered with a
// still lower Priority wins as before.
func autoFlow(s *session) *flow {
	var pick *flow
	best := 0
	for _, af := range auto.DefaultOrder() {
		f, ok := flows[cliFlows[af]]
		if !ok || (f.Available != nil && !f.Available(s)) {
			continue
		}
		if pick == nil {
			pick, best = f, f.Priority
		}
		best = min(best, f.Priority)
	}
	if pick == nil {
		return nil
	}
	c := *pick
	c.Priority = best - 1
	return &c
}
