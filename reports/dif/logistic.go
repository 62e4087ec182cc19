package dif

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// logisticFit is a fitted logistic regression.
type logisticFit struct {
	Beta   []float64 // coefficients, one per column of the design
	LogLik float64   // Σ w·(y·ln p + (1 − y)·ln(1 − p)) at Beta
}

// fitLogistic fits P(y = 1) = 1/(1 + exp(−xβ)) by maximum likelihood with
// Newton–Raphson steps (iteratively reweighted least squares; McCullagh &
// Nelder 1989, §4.4): with p the fitted probabilities and W = diag(w·p(1 −
// p)),
//
//	β ← β + (XᵀWX)⁻¹ Xᵀ w(y − p),
//
// halving a step that lowers the likelihood. x holds the n rows of k
// columns of the design (row-major), y the 0/1 responses, w the weights
// (nil: all 1). It fails when the information matrix is singular or the
// estimates diverge (complete or quasi-complete separation: a predictor
// combination that decides the response).
func fitLogistic(x []float64, k int, y []uint8, w []float64) (logisticFit, error) {
	n := len(y)
	beta := make([]float64, k)
	ll := logisticLogLik(x, k, y, w, beta)
	gs, hs := make([]float64, k), make([]float64, k*k)
	g := mat.NewVecDense(k, nil)
	h := mat.NewSymDense(k, nil)
	var chol mat.Cholesky
	step := mat.NewVecDense(k, nil)
	next := make([]float64, k)
	for range 100 {
		clear(gs)
		clear(hs)
		for i := range n {
			row := x[i*k : (i+1)*k]
			p := logistic(dot(row, beta))
			wi := weight(w, i)
			r := wi * (float64(y[i]) - p)
			v := wi * p * (1 - p)
			for a := range k {
				gs[a] += r * row[a]
				for b := a; b < k; b++ {
					hs[a*k+b] += v * row[a] * row[b]
				}
			}
		}
		for a := range k {
			g.SetVec(a, gs[a])
			for b := a; b < k; b++ {
				h.SetSym(a, b, hs[a*k+b])
			}
		}
		if !chol.Factorize(h) {
			return logisticFit{}, errors.New("the logistic model's information matrix is singular (a predictor without variation)")
		}
		if err := chol.SolveVecTo(step, g); err != nil {
			return logisticFit{}, err
		}
		size := 1.0
		var nll float64
		for range 30 {
			for a := range k {
				next[a] = beta[a] + size*step.AtVec(a)
			}
			nll = logisticLogLik(x, k, y, w, next)
			if nll >= ll-1e-12*math.Abs(ll) {
				break
			}
			size /= 2
		}
		moved := 0.0
		for a := range k {
			moved = max(moved, math.Abs(next[a]-beta[a]))
		}
		copy(beta, next)
		gain := nll - ll
		ll = nll
		if moved < 1e-10 || (moved < 1e-6 && math.Abs(gain) < 1e-12*math.Abs(ll)) {
			for _, b := range beta {
				if math.Abs(b) > 30 {
					return logisticFit{}, errSeparation
				}
			}
			return logisticFit{Beta: beta, LogLik: ll}, nil
		}
	}
	return logisticFit{}, errSeparation
}

var errSeparation = errors.New("the logistic model does not converge: the responses are separated (in a group or at a score, every answer is right or every answer is wrong)")

// logisticLogLik is the weighted log-likelihood of β.
func logisticLogLik(x []float64, k int, y []uint8, w []float64, beta []float64) float64 {
	var ll float64
	for i := range y {
		z := dot(x[i*k:(i+1)*k], beta)
		// ln p = −ln(1 + e^−z), ln(1 − p) = −ln(1 + e^z)
		if y[i] == 1 {
			ll -= weight(w, i) * softplus(-z)
		} else {
			ll -= weight(w, i) * softplus(z)
		}
	}
	return ll
}

// softplus is ln(1 + e^z) without overflow.
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

func logistic(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}
