package irt

import (
	"math/rand/v2"
	"testing"
)

// benchForm returns a 50-item form, as passport's, and one response pattern.
func benchForm() ([]ThreePL, []int8) {
	rng := rand.New(rand.NewPCG(41, 42))
	items := mixedItems(rng, 50)
	return items, Simulate(nil, rng, items, 0.4)
}

var sinkF float64
var sinkE Estimate

func BenchmarkProb(b *testing.B) {
	item := ThreePL{A: 1.2, B: -0.3, C: 0.2, D: 1.702}
	b.ReportAllocs()
	theta := 0.1
	for b.Loop() {
		sinkF += item.Prob(theta)
	}
}

func BenchmarkInfo(b *testing.B) {
	item := ThreePL{A: 1.2, B: -0.3, C: 0.2, D: 1.702}
	b.ReportAllocs()
	for b.Loop() {
		sinkF += item.Info(0.1)
	}
}

func BenchmarkEAP50(b *testing.B) {
	items, resp := benchForm()
	q := DefaultGrid()
	b.ReportAllocs()
	for b.Loop() {
		sinkE = EAP(items, resp, q)
	}
}

func BenchmarkML50(b *testing.B) {
	items, resp := benchForm()
	b.ReportAllocs()
	for b.Loop() {
		sinkE = ML(items, resp, -6, 6)
	}
}

func BenchmarkMAP50(b *testing.B) {
	items, resp := benchForm()
	b.ReportAllocs()
	for b.Loop() {
		sinkE = MAP(items, resp, 0, 1)
	}
}

func BenchmarkWLE50(b *testing.B) {
	items, resp := benchForm()
	b.ReportAllocs()
	for b.Loop() {
		sinkE = WLE(items, resp, -6, 6)
	}
}

func BenchmarkSumScoreDist50(b *testing.B) {
	items, _ := benchForm()
	dst := make([]float64, len(items)+1)
	b.ReportAllocs()
	for b.Loop() {
		SumScoreDist(dst, items, 0.4)
	}
}

func BenchmarkSumScoreMarginal50x61(b *testing.B) {
	items, _ := benchForm()
	q := DefaultGrid()
	dst := make([]float64, len(items)+1)
	b.ReportAllocs()
	for b.Loop() {
		SumScoreMarginal(dst, items, q)
	}
}

func BenchmarkEAPSum50x61(b *testing.B) {
	items, _ := benchForm()
	q := DefaultGrid()
	dst := make([]Estimate, len(items)+1)
	b.ReportAllocs()
	for b.Loop() {
		EAPSum(dst, items, q)
	}
}

func BenchmarkGaussHermite61(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		GaussHermite(61)
	}
}

func BenchmarkTraceEAP50(b *testing.B) {
	items, resp := benchForm()
	tr := NewTrace(items, DefaultGrid())
	b.ReportAllocs()
	for b.Loop() {
		sinkE = tr.EAP(resp)
	}
}
