// Package reports is passport's item analysis and item fit, its plots and
// its HTML report.
//
// Classical item analysis (Analyze) reads examinees' chosen options and
// scores: p-values, point-biserial and corrected item–total correlations,
// coefficient alpha and alpha-if-deleted per form, and distractor analysis
// by ability group, with flags for a probable miskey, items too easy or too
// hard, and negative discrimination. IRT item fit (Fit) takes a calibration's
// parameters: Orlando and Thissen's S-X² with Benjamini–Hochberg adjusted
// p-values, infit and outfit mean squares with their standardised z, and
// Yen's Q3 for local dependence per form. Both work on incomplete designs,
// where each examinee answers only the items of one form. Persons and the
// test (personfit.go, models.go): Snijders's l_z* and infit and outfit per
// examinee, person and item separation and reliability as Winsteps reports
// them, score distributions per form, and the comparison of models fitted
// to the same data (−2LL, AIC, BIC, likelihood-ratio tests). DIF is in the
// subpackage dif.
//
// The plots use gonum/plot and the report is one self-contained HTML page
// with its tables beside it as CSV. The package takes plain Go values: it
// never sees SQL.
//
// # References
//
//   - Akaike, H. (1974). A new look at the statistical model identification.
//     IEEE Transactions on Automatic Control 19, 716–723.
//   - Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery
//     rate: a practical and powerful approach to multiple testing. Journal of
//     the Royal Statistical Society B 57, 289–300.
//   - Christensen, K. B., Makransky, G. & Horton, M. (2017). Critical values
//     for Yen's Q3: identification of local dependence in the Rasch model
//     using residual correlations. Applied Psychological Measurement 41,
//     178–194.
//   - Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or
//     fiducial limits illustrated in the case of the binomial. Biometrika 26,
//     404–413.
//   - Crocker, L. & Algina, J. (1986). Introduction to Classical and Modern
//     Test Theory, ch. 14 (item analysis). Holt, Rinehart & Winston.
//   - Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
//     tests. Psychometrika 16, 297–334.
//   - Lord, F. M. & Wingersky, M. S. (1984). Comparison of IRT true-score and
//     equipercentile observed-score "equatings". Applied Psychological
//     Measurement 8, 453–461.
//   - Orlando, M. & Thissen, D. (2000). Likelihood-based item-fit indices for
//     dichotomous item response theory models. Applied Psychological
//     Measurement 24, 50–64.
//   - Orlando, M. & Thissen, D. (2003). Further investigation of the
//     performance of S-X²: an item fit index for use with dichotomous item
//     response theory models. Applied Psychological Measurement 27, 289–298.
//   - Wright, B. D. & Masters, G. N. (1982). Rating Scale Analysis, ch. 5.
//     MESA Press.
//   - Magis, D., Raîche, G. & Béland, S. (2012). A didactic presentation of
//     Snijders's l_z* index of person fit with emphasis on response model
//     selection and ability estimation. Journal of Educational and
//     Behavioral Statistics 37, 57–81.
//   - Schwarz, G. (1978). Estimating the dimension of a model. Annals of
//     Statistics 6, 461–464.
//   - Snijders, T. A. B. (2001). Asymptotic null distribution of person fit
//     statistics with estimated person parameter. Psychometrika 66, 331–342.
//   - Warm, T. A. (1989). Weighted likelihood estimation of ability in item
//     response theory. Psychometrika 54, 427–450.
//   - Yen, W. M. (1984). Effects of local item dependence on the fit and
//     equating performance of the three-parameter logistic model. Applied
//     Psychological Measurement 8, 125–145.
package reports
