package main

import "github.com/entraauth/entraauth/auto"

// cliFlows maps package auto's flows to login's --flow names. The Azure
// CLI session has none: it serves tokens, it does not sign anyone in.
var cliFlows = map[auto.Flow]string{auto.Broker: "broker", auto.Browser: "browser", auto.DeviceCode: "device"}

// autoFlow is where login's default choice starts: the first flow, in
// package auto's order (broker, browser, device code), that this build
// registers and that is available in this session; nil when none is.
// chooseFlow keeps it unless an available flow declares a lower
// Priority.
func autoFlow(s *session) *flow {
	for _, af := range auto.DefaultOrder() {
		f, ok := flows[cliFlows[af]]
		if ok && (f.Available == nil || f.Available(s)) {
			return f
		}
	}
	return nil
}
