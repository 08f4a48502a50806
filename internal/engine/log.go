package engine

import (
	"log/slog"
	"strconv"
	"strings"
)

// attrInts logs AADSTS codes as one comma-separated string.
func attrInts(k string, v []int) slog.Attr {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return slog.String(k, strings.Join(s, ","))
}
