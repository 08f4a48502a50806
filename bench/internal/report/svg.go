package main

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
)

// series is one library's line in a plot.
type series struct {
	name string
	x, y []float64
}

// plot is a line chart written as a small standalone SVG.
type plot struct {
	title, xLabel, yLabel string
	logX, logY            bool
	series                []series
}

var colors = map[string]string{"entraauth": "#1f77b4", "msalgo": "#d62728", "azidentity": "#2ca02c"}

const (
	width, height          = 640, 400
	left, right, top, bott = 80, 150, 40, 50
)

func (p plot) scale(v float64, log bool) float64 {
	if log {
		return math.Log10(math.Max(v, 1e-9))
	}
	return v
}

func (p plot) bounds() (x0, x1, y0, y1 float64) {
	x0, y0 = math.Inf(1), math.Inf(1)
	x1, y1 = math.Inf(-1), math.Inf(-1)
	for _, s := range p.series {
		for i := range s.x {
			x0, x1 = math.Min(x0, p.scale(s.x[i], p.logX)), math.Max(x1, p.scale(s.x[i], p.logX))
			y0, y1 = math.Min(y0, p.scale(s.y[i], p.logY)), math.Max(y1, p.scale(s.y[i], p.logY))
		}
	}
	if p.logY {
		y0, y1 = math.Floor(y0), math.Ceil(y1)
	} else {
		y0 = 0
		y1 *= 1.1
	}
	if x1 == x0 {
		x1 = x0 + 1
	}
	if y1 == y0 {
		y1 = y0 + 1
	}
	return
}

// ticks returns tick positions in data units.
func ticks(lo, hi float64, log bool) []float64 {
	var t []float64
	if log {
		for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
			t = append(t, math.Pow(10, e))
		}
		return t
	}
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/4)))
	for (hi-lo)/step > 8 {
		step *= 2
	}
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		t = append(t, v)
	}
	return t
}

func human(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", math.Round(v*100)/100)
}

// write renders the plot to path.
func (p plot) write(path string) error {
	x0, x1, y0, y1 := p.bounds()
	pw, ph := float64(width-left-right), float64(height-top-bott)
	px := func(v float64) float64 { return left + (p.scale(v, p.logX)-x0)/(x1-x0)*pw }
	py := func(v float64) float64 { return top + ph - (p.scale(v, p.logY)-y0)/(y1-y0)*ph }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15">%s</text>`+"\n", left, esc(p.title))
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%g" height="%g" fill="none" stroke="#888"/>`+"\n", left, top, pw, ph)
	for _, t := range ticks(y0, y1, p.logY) {
		y := py(t)
		if y < top-0.5 || y > top+ph+0.5 {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%d" x2="%g" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left, left+pw, y, y, left-6, y+4, human(t))
	}
	var xs []float64
	for _, s := range p.series {
		xs = append(xs, s.x...)
	}
	slices.Sort(xs)
	for _, t := range slices.Compact(xs) {
		x := px(t)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%g" stroke="#eee"/><text x="%.1f" y="%g" text-anchor="middle">%s</text>`+"\n", x, x, top, top+ph, x, top+ph+16, human(t))
	}
	fmt.Fprintf(&b, `<text x="%g" y="%d" text-anchor="middle">%s</text>`+"\n", left+pw/2, height-12, esc(p.xLabel))
	fmt.Fprintf(&b, `<text transform="translate(16,%g) rotate(-90)" text-anchor="middle">%s</text>`+"\n", top+ph/2, esc(p.yLabel))
	for i, s := range p.series {
		c := colors[s.name]
		if c == "" {
			c = "#555"
		}
		var pts []string
		for j := range s.x {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(s.x[j]), py(s.y[j])))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", px(s.x[j]), py(s.y[j]), c)
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", c, strings.Join(pts, " "))
		ly := top + 20 + 20*i
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%d" y2="%d" stroke="%s" stroke-width="3"/><text x="%g" y="%d">%s</text>`+"\n", left+pw+12, left+pw+32, ly, ly, c, left+pw+38, ly+4, esc(s.name))
	}
	b.WriteString("</svg>\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
