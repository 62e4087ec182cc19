// Package irt is the item response theory mathematics of passport: the
// three-parameter logistic item response function and its derivatives, item
// and test information, quadrature grids for a normal ability distribution,
// ability estimation (ML, MAP, EAP and WLE) for one pattern and for a whole
// sparse response matrix (ScoreResponses, with Summarize's marginal
// reliability), the Lord–Wingersky summed-score recursion with summed-score
// EAP, and response simulation.
//
// The package is pure computation: no I/O, and it imports only the standard
// library and gonum. Functions take plain slices; those that fill a slice
// take it as a dst argument and do not allocate when it is given, and a
// Trace tabulates a test on a quadrature grid once so that scoring many
// response patterns costs additions only.
//
// # Responses
//
// A response pattern is a []int8 parallel to the []ThreePL that describes
// the items: 1 is a correct (keyed) response, 0 an incorrect one and Missing
// (−1) an item that was not administered or not reached. Missing items
// contribute nothing to a likelihood. A function given a pattern whose length
// differs from the number of items, or holding any other value, panics: these
// are programming errors, and input read from files is checked by the caller.
//
// # References
//
//   - Abramowitz, M. & Stegun, I. A. (1964). Handbook of Mathematical
//     Functions. National Bureau of Standards. Table 25.10, p. 924.
//   - Baker, F. B. & Kim, S.-H. (2004). Item Response Theory: Parameter
//     Estimation Techniques, 2nd ed. Marcel Dekker.
//   - Birnbaum, A. (1968). Some latent trait models and their use in inferring
//     an examinee's ability. In F. M. Lord & M. R. Novick, Statistical Theories
//     of Mental Test Scores, ch. 17–20. Addison-Wesley.
//   - Bock, R. D. & Mislevy, R. J. (1982). Adaptive EAP estimation of ability
//     in a microcomputer environment. Applied Psychological Measurement 6,
//     431–444.
//   - Chalmers, R. P. (2012). mirt: A multidimensional item response theory
//     package for the R environment. Journal of Statistical Software 48(6).
//   - Golub, G. H. & Welsch, J. H. (1969). Calculation of Gauss quadrature
//     rules. Mathematics of Computation 23, 221–230.
//   - Green, B. F., Bock, R. D., Humphreys, L. G., Linn, R. L. & Reckase,
//     M. D. (1984). Technical guidelines for assessing computerized adaptive
//     tests. Journal of Educational Measurement 21, 347–360.
//   - Lord, F. M. (1980). Applications of Item Response Theory to Practical
//     Testing Problems. Erlbaum.
//   - Lord, F. M. & Wingersky, M. S. (1984). Comparison of IRT true-score and
//     equipercentile observed-score "equatings". Applied Psychological
//     Measurement 8, 453–461.
//   - Press, W. H., Teukolsky, S. A., Vetterling, W. T. & Flannery, B. P.
//     (2007). Numerical Recipes, 3rd ed., §9.4. Cambridge University Press.
//   - Samejima, F. (1973). A comment on Birnbaum's three-parameter logistic
//     model in the latent trait theory. Psychometrika 38, 221–233.
//   - Thissen, D. & Orlando, M. (2001). Item response theory for items scored
//     in two categories. In D. Thissen & H. Wainer (Eds.), Test Scoring, ch. 3.
//     Erlbaum.
//   - Warm, T. A. (1989). Weighted likelihood estimation of ability in item
//     response theory. Psychometrika 54, 427–450.
package irt
