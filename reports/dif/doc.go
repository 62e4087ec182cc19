// Package dif screens items for differential item functioning (DIF):
// whether examinees of equal ability but of different groups — a focal
// group and a reference group, such as the candidates of one region and
// those of the others — have different chances of answering an item right.
//
// Three methods, on plain values (no SQL):
//
//   - Mantel–Haenszel (MantelHaenszel, mh.go): the common odds ratio α_MH
//     over the 2×2 tables of examinees matched on their total score, its
//     Robins–Breslow–Greenland variance and confidence interval, the
//     Cochran–Mantel–Haenszel χ² with and without the continuity
//     correction, Δ_MH = −2.35 ln α_MH on the ETS delta scale, and the
//     ETS A/B/C classes (ets.go).
//   - Logistic regression (Logistic, lr.go): nested models of the item
//     score on the matching score, the group and their interaction,
//     likelihood-ratio tests of uniform and non-uniform DIF, and the
//     differences of Nagelkerke's R² with Jodoin and Gierl's classes.
//   - Lord's χ² (lord.go) on the difficulties of the two groups'
//     separate calibrations, linked onto one scale through the items not
//     flagged.
//
// Analyze (analyze.go) runs them on a response matrix: matching on the
// total score within form (the strata are pairs of form and score, so a
// sparse design of several forms matches examinees only with those who
// took the same items), with optional iterative purification of the
// matching score, minimum-sample guards and the Benjamini–Hochberg
// adjustment across items.
//
// # References
//
//   - Holland, P. W. & Thayer, D. T. (1988). Differential item performance
//     and the Mantel–Haenszel procedure. In H. Wainer & H. I. Braun (Eds.),
//     Test Validity (pp. 129–145). Erlbaum.
//   - Jodoin, M. G. & Gierl, M. J. (2001). Evaluating type I error and
//     power rates using an effect size measure with the logistic regression
//     procedure for DIF detection. Applied Measurement in Education 14,
//     329–349.
//   - Lord, F. M. (1980). Applications of Item Response Theory to Practical
//     Testing Problems, ch. 14. Erlbaum.
//   - Mantel, N. & Haenszel, W. (1959). Statistical aspects of the analysis
//     of data from retrospective studies of disease. Journal of the
//     National Cancer Institute 22, 719–748.
//   - McCullagh, P. & Nelder, J. A. (1989). Generalized Linear Models (2nd
//     ed.), §4.4. Chapman & Hall.
//   - Monahan, P. O., McHorney, C. A., Stump, T. E. & Perkins, A. J. (2007).
//     Odds ratio, delta, ETS classification, and standardization measures
//     of DIF magnitude for binary logistic regression. Journal of
//     Educational and Behavioral Statistics 32, 92–109.
//   - Nagelkerke, N. J. D. (1991). A note on a general definition of the
//     coefficient of determination. Biometrika 78, 691–692.
//   - Robins, J., Breslow, N. & Greenland, S. (1986). Estimators of the
//     Mantel–Haenszel variance consistent in both sparse data and
//     large-strata limiting models. Biometrics 42, 311–323.
//   - Swaminathan, H. & Rogers, H. J. (1990). Detecting differential item
//     functioning using logistic regression procedures. Journal of
//     Educational Measurement 27, 361–370.
//   - Zumbo, B. D. (1999). A Handbook on the Theory and Methods of
//     Differential Item Functioning (DIF): Logistic Regression Modeling as
//     a Unitary Framework for Binary and Likert-type (Ordinal) Item Scores.
//     Directorate of Human Resources Research and Evaluation, Department of
//     National Defense, Ottawa.
//   - Zwick, R. (2012). A review of ETS differential item functioning
//     assessment procedures: flagging rules, minimum sample size
//     requirements, and criterion refinement. ETS Research Report RR-12-08.
package dif
