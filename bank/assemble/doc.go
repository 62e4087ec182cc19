// Package assemble builds test forms from an item pool against a blueprint
// by 0/1 mixed-integer programming (Theunissen 1985; van der Linden, Linear
// Models for Optimal Test Design, Springer 2005).
//
// A Blueprint states the forms' content rules: length, number of forms,
// per-domain and per-subdomain counts, allowed statuses, enemy groups, item
// sets, items that must or must not appear, anchors shared by every form,
// how many forms an item may appear in, how many items two forms may share,
// limits on total response time and mean difficulty, tolerances on how
// far the forms' information and characteristic curves may differ, the
// count of each key letter and the longest run of one, and the delivery
// order. Its
// Objective is either maximin test information at chosen θ points (van der
// Linden and Boekkooi-Timminga 1989; van der Linden 2005, ch. 5) or minimax
// deviation from a target information or characteristic curve (van der
// Linden 2005, ch. 5), the objective applying to every form at once so
// that parallel forms come out alike (ch. 6); item sets follow ch. 7.
//
// With binary x_fi (item i on form f) and y the objective variable, the
// programme is
//
//	maximise  y
//	subject to y ≤ c_r + Σ_i a_ri·x_fi   for every form f and objective row r,
//	           the blueprint's constraints, linear in x,
//
// where for maximin the rows are a_ki = I_i(θ_k)/w_k, c_k = 0 (y is then the
// largest value with I_f(θ_k) ≥ w_k·y everywhere), and for a target T_k of
// the function g (information or expected score) two rows per point,
// a = −g_i(θ_k), c = T_k and a = g_i(θ_k), c = −T_k (y is then minus the
// largest absolute deviation).
//
// Two solvers implement Solver: Heuristic is pure Go (a greedy
// construction followed by iterated local search) and reports a
// Lagrangian bound; CBC drives the COIN-OR CBC program (coinor-cbc)
// through an MPS file, started from the heuristic's forms, and keeps the
// better forms and the better bound of the two.
// Problem.Deliver then readies the forms for delivery: it orders each
// form's items by the blueprint's Order rule, keeping every run of one
// key letter to MaxKeyRun (see arrangeable for why a random order always
// can), and scrambles the options into versions whose key letters meet
// the same rules; VerifyDelivery checks the result.
//
// Whatever the solver, Assemble checks the returned forms against every
// hard constraint with Verify, which shares no code with the solvers, and
// certifies the result from the forms: the objective is computed from
// them, the bound is never beyond it, the gap is signed and 0 only when
// optimality is proven, and the status is optimal only within the
// tolerance Options.Gap.
package assemble
