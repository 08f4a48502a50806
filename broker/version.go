package broker

import (
	"errors"
	"strconv"
	"strings"
)

// linuxVersion is a Linux broker version as getLinuxBrokerVersion answers
// it: dot-separated numbers ("2.0.1", "2.5.2" in telemetry quoted in
// https://github.com/siemens/linux-entra-sso/issues/114 and #129, "3.0.2"
// in https://github.com/theophile-wallez/teams-lite SIGN-IN.md; himmelblau
// answers its crate version, src/daemon/src/broker.rs).
type linuxVersion []int

// maxVersionParts bounds a version's numbers; a part is at most 9 digits.
const maxVersionParts = 4

// parseLinuxVersionString reads "major.minor[.patch[.build]]".
func parseLinuxVersionString(s string) (linuxVersion, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > maxVersionParts {
		return nil, errors.New("the broker version is not major.minor[.patch[.build]]")
	}
	v := make(linuxVersion, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
			return nil, errors.New("the broker version has a part that is not a number")
		}
		v[i], _ = strconv.Atoi(p)
	}
	return v, nil
}

func (v linuxVersion) String() string {
	var b strings.Builder
	for i, n := range v {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
